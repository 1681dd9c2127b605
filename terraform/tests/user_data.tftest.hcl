# The worker's boot script as Terraform renders it. scripts/test-terraform reads each run's rendering
# (terraform test -json -verbose) and checks it with shellcheck and bash: keep every run an apply.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  healthcheck_url = "https://laptop.tail1234.ts.net/health"
  gitops_repo_url = "https://github.com/me/discord-bot.git"
}

run "user_data_default" {
  command = apply

  assert {
    condition     = startswith(aws_instance.worker[0].user_data, "#!/usr/bin/env bash\n")
    error_message = "The user data must be a bash script."
  }
  assert {
    condition     = strcontains(aws_instance.worker[0].user_data, "\nSECRETS_SSM_PATH=''\n") && strcontains(aws_instance.worker[0].user_data, "\nK3S_VERSION='v1.34.9+k3s1'\n")
    error_message = "Every setting must be rendered, single-quoted."
  }
}

run "user_data_with_secrets" {
  command = apply

  variables {
    worker_secrets_ssm_path = "/discord-bot/prod"
    worker_secrets_name     = "discord-bot"
    app_namespace           = "discord"
  }

  assert {
    condition     = strcontains(aws_instance.worker[0].user_data, "\nSECRETS_SSM_PATH='/discord-bot/prod'\n") && strcontains(aws_instance.worker[0].user_data, "\nSECRETS_NAME='discord-bot'\n")
    error_message = "The secrets path and Secret name must be rendered."
  }
}

# Values a shell would expand or split: they must reach the worker as written.
run "user_data_quoting" {
  command = apply

  variables {
    gitops_repo_url = "https://example.com/o'neil/$(reboot).git"
    gitops_path     = "bots/it's $HOME `id` \"x\""
  }

  assert {
    condition     = strcontains(aws_instance.worker[0].user_data, "o'\\''neil/$(reboot).git")
    error_message = "A single quote must be escaped as '\\''."
  }
}
