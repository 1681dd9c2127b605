# Every target is a thin call to a script in scripts/, so CI and people run the same thing.
.DEFAULT_GOAL := help
SHELL := /usr/bin/env bash

.PHONY: help build test bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build the watchdog Lambda zip and the laptop server (laptop/dist/healthcheck.mjs); prints sizes and sha256
	@scripts/build

test: build ## Run every test (TypeScript, Terraform, shell, systemd); ends with "N passed, N failed"
	@scripts/test

bench: build ## Print the benchmark figures (watchdog tick, zip size, cold import; laptop /health req/s and p99)
	@scripts/bench

clean: ## Remove build outputs and coverage
	@rm -rf lambda/watchdog/dist laptop/dist coverage
