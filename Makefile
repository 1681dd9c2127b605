# Every target is a thin call to a script in scripts/, so CI and people run the same thing.
.DEFAULT_GOAL := help
SHELL := /usr/bin/env bash

.PHONY: help build test test-terraform bench demo invoke deploy clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build the watchdog Lambda zip and the laptop server (laptop/dist/healthcheck.mjs); prints sizes and sha256
	@scripts/build

test: build ## Run every test (TypeScript, Terraform, shell, systemd); ends with "N passed, N failed"
	@scripts/test

test-terraform: build ## Run the Terraform checks only: fmt, validate, terraform test (mocked AWS), shellcheck of the worker's user data
	@scripts/test-terraform

bench: build ## Print the benchmark figures (watchdog tick, zip size, cold import; laptop /health req/s and p99)
	@scripts/bench

demo: build ## Rehearse a failover on loopback, no AWS account needed (SCENARIO=file.json SPEED=60)
	@scripts/demo $(if $(SCENARIO),--scenario $(SCENARIO)) $(if $(SPEED),--speed $(SPEED))

invoke: build ## Run the built watchdog once against your AWS account; a dry run unless LIVE=1
	@scripts/invoke $(if $(filter 1,$(LIVE)),--live)

deploy: ## Build and deploy to AWS: make deploy HEALTHCHECK_URL=https://<laptop>.ts.net/health ALERT_EMAIL=me@example.com GITOPS_REPO_URL=<repo>
	@scripts/deploy

clean: ## Remove build outputs and coverage
	@rm -rf lambda/watchdog/dist laptop/dist dist coverage
