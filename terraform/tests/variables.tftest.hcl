# Every validation rejects a value that would break the deployment or the watchdog, at plan time.
# The limits mirror lambda/watchdog/src/config.ts. Plan only: nothing is created.
# A run lists several variables in expect_failures: the run fails unless every one of them is rejected.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  healthcheck_url = "https://laptop.tail1234.ts.net/health"
  gitops_repo_url = "https://github.com/me/discord-bot.git"
}

run "limits_accepted" {
  command = plan

  variables {
    healthcheck_url           = "https://laptop.tail1234.ts.net:8443/health?probe=watchdog"
    alert_email               = "me+alerts@example.com"
    schedule_expression       = "rate(60 minutes)"
    probe_timeout_seconds     = 60
    probe_attempts            = 1
    probe_retry_delay_seconds = 0
    failback_after_seconds    = 604800
    stuck_after_seconds       = 86400
    api_timeout_seconds       = 30
    expected_body             = format("%5120s", "")
    worker_root_volume_gb     = 8
  }

  assert {
    # 60 + 0 + 4 x 30 + 10.
    condition     = aws_lambda_function.watchdog.timeout == 190
    error_message = "The largest single settings must be accepted (timeout ${aws_lambda_function.watchdog.timeout} s)."
  }
}

run "ten_attempts_accepted" {
  command = plan

  variables {
    probe_attempts            = 10
    probe_timeout_seconds     = 10
    probe_retry_delay_seconds = 60
    api_timeout_seconds       = 0.5
  }

  assert {
    # 100 + 540 + 2 + 10.
    condition     = aws_lambda_function.watchdog.timeout == 652
    error_message = "Ten attempts must be accepted (timeout ${aws_lambda_function.watchdog.timeout} s)."
  }
}

# Each lower limit of config.ts and of AWS.
run "rejects_values_below_the_limits" {
  command = plan

  variables {
    probe_timeout_seconds     = 0.05
    probe_attempts            = 0
    probe_retry_delay_seconds = -1
    failback_after_seconds    = -1
    stuck_after_seconds       = 59
    api_timeout_seconds       = 0.05
    worker_root_volume_gb     = 4
    log_retention_days        = 10
    lambda_runtime            = "nodejs20.x"
  }

  expect_failures = [
    var.probe_timeout_seconds,
    var.probe_attempts,
    var.probe_retry_delay_seconds,
    var.failback_after_seconds,
    var.stuck_after_seconds,
    var.api_timeout_seconds,
    var.worker_root_volume_gb,
    var.log_retention_days,
    var.lambda_runtime,
  ]
}

# Each upper limit of config.ts and of AWS.
run "rejects_values_above_the_limits" {
  command = plan

  variables {
    probe_timeout_seconds     = 61
    probe_attempts            = 11
    probe_retry_delay_seconds = 61
    failback_after_seconds    = 604801
    stuck_after_seconds       = 86401
    api_timeout_seconds       = 31
    expected_body             = format("%5121s", "")
    schedule_expression       = "rate(2 hours)"
    name                      = "a-name-far-too-long-for-iam-role-names-x1"
  }

  expect_failures = [
    var.probe_timeout_seconds,
    var.probe_attempts,
    var.probe_retry_delay_seconds,
    var.failback_after_seconds,
    var.stuck_after_seconds,
    var.api_timeout_seconds,
    var.expected_body,
    var.schedule_expression,
    var.name,
  ]
}

# Values of the wrong shape.
run "rejects_malformed_values" {
  command = plan

  variables {
    healthcheck_url            = "laptop.tail1234.ts.net/health"
    alert_email                = "me-at-example.com"
    name                       = "home failover"
    lambda_runtime             = "python3.12"
    schedule_expression        = "cron(* * * * ? *)"
    probe_attempts             = 2.5
    worker_instance_id         = "i-123"
    gitops_repo_url            = "github.com/me/discord-bot"
    app_namespace              = "Bot"
    worker_secrets_ssm_path    = "discord-bot"
    worker_secrets_name        = "Bot_Secrets"
    worker_secrets_kms_key_arn = "alias/aws/ssm"
    k3s_version                = "latest"
    argocd_version             = "stable"
  }

  expect_failures = [
    var.healthcheck_url,
    var.alert_email,
    var.name,
    var.lambda_runtime,
    var.schedule_expression,
    var.probe_attempts,
    var.worker_instance_id,
    var.gitops_repo_url,
    var.app_namespace,
    var.worker_secrets_ssm_path,
    var.worker_secrets_name,
    var.worker_secrets_kms_key_arn,
    var.k3s_version,
    var.argocd_version,
  ]
}

# Almost right, still wrong: plain http (Lambda reaches the laptop through Funnel's https only),
# EventBridge's singular and plural, a trailing slash.
run "rejects_near_misses" {
  command = plan

  variables {
    healthcheck_url         = "http://laptop.tail1234.ts.net/health"
    schedule_expression     = "rate(5 minute)"
    worker_secrets_ssm_path = "/discord-bot/"
  }

  expect_failures = [
    var.healthcheck_url,
    var.schedule_expression,
    var.worker_secrets_ssm_path,
  ]
}

# Credentials in the URL would land in logs and alerts; rate(1 minutes) is refused by EventBridge.
run "rejects_more_near_misses" {
  command = plan

  variables {
    healthcheck_url     = "https://me:secret@laptop.tail1234.ts.net/health"
    schedule_expression = "rate(1 minutes)"
  }

  expect_failures = [
    var.healthcheck_url,
    var.schedule_expression,
  ]
}
