# The watchdog function, built by `make build` into a deterministic zip: the hash below only moves
# when the code does, so a later `make build && terraform apply` redeploys only real changes.

locals {
  lambda_zip = "${path.module}/../lambda/watchdog/dist/watchdog.zip"

  # Worst case of one tick (see worstCaseProbeMs in config.ts): every confirmation probe times out,
  # then up to four AWS calls in a row hit their deadline (DescribeInstances, Start/StopInstances,
  # CreateTags, DeleteTags; the SNS publish runs alongside the tag writes), plus room for a cold start.
  worst_case_probe_seconds = var.probe_attempts * var.probe_timeout_seconds + (var.probe_attempts - 1) * var.probe_retry_delay_seconds
  sequential_api_calls     = 4
  lambda_timeout_margin    = 10
  lambda_timeout           = ceil(local.worst_case_probe_seconds + local.sequential_api_calls * var.api_timeout_seconds + local.lambda_timeout_margin)

  # Every variable config.ts reads, and only those (test/terraform/drift.test.ts checks both ways).
  # Numbers go through tostring(): config.ts parses "5" and "2.5" alike.
  watchdog_environment = {
    WORKER_INSTANCE_ID = local.worker_instance_id
    HEALTHCHECK_URL    = var.healthcheck_url
    ALERT_TOPIC_ARN    = aws_sns_topic.alerts.arn
    # "" is "not set" for config.ts (it trims and treats an empty value as missing): any 2xx body is healthy.
    EXPECTED_BODY             = var.expected_body
    PROBE_TIMEOUT_SECONDS     = tostring(var.probe_timeout_seconds)
    PROBE_ATTEMPTS            = tostring(var.probe_attempts)
    PROBE_RETRY_DELAY_SECONDS = tostring(var.probe_retry_delay_seconds)
    FAILBACK_AFTER_SECONDS    = tostring(var.failback_after_seconds)
    STUCK_AFTER_SECONDS       = tostring(var.stuck_after_seconds)
    API_TIMEOUT_SECONDS       = tostring(var.api_timeout_seconds)
    DRY_RUN                   = tostring(var.dry_run)
  }
}

# Created before the function, with a retention: left to Lambda, the group would keep logs forever.
resource "aws_cloudwatch_log_group" "watchdog" {
  name              = "/aws/lambda/${var.name}-watchdog"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "watchdog" {
  function_name    = "${var.name}-watchdog"
  description      = "Probes the laptop's healthcheck and starts or stops the standby EC2 worker."
  role             = aws_iam_role.watchdog.arn
  filename         = local.lambda_zip
  source_code_hash = filebase64sha256(local.lambda_zip)
  handler          = "index.handler"
  runtime          = var.lambda_runtime
  architectures    = ["arm64"]
  memory_size      = 128
  timeout          = local.lambda_timeout

  environment {
    variables = local.watchdog_environment
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.watchdog.name
  }

  lifecycle {
    precondition {
      condition     = local.lambda_timeout <= 900
      error_message = "The probe and API settings add up to a worst-case tick of ${local.lambda_timeout} s, beyond Lambda's 900 s limit: lower probe_attempts, probe_timeout_seconds, probe_retry_delay_seconds or api_timeout_seconds."
    }
  }

  # The role's policy must exist before the first invocation can log or act.
  depends_on = [aws_iam_role_policy.watchdog]
}

# The schedule invokes asynchronously. A tick that failed or waited is not worth replaying:
# the next one comes within a period and sees the world as it is then.
resource "aws_lambda_function_event_invoke_config" "watchdog" {
  function_name                = aws_lambda_function.watchdog.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60
}
