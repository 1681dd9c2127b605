# The watchdog function, its schedule, its alarms and its alert topic, against a mocked AWS provider.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  healthcheck_url = "https://laptop.tail1234.ts.net/health"
  gitops_repo_url = "https://github.com/me/discord-bot.git"
}

# One apply with the default settings: the function, its schedule, its alarms, the topic and the outputs.
run "defaults" {
  command = apply

  # function defaults
  assert {
    condition     = aws_lambda_function.watchdog.handler == "index.handler" && aws_lambda_function.watchdog.runtime == "nodejs22.x"
    error_message = "The function must run index.handler on nodejs22.x by default."
  }
  assert {
    condition     = aws_lambda_function.watchdog.architectures == tolist(["arm64"]) && aws_lambda_function.watchdog.memory_size == 128
    error_message = "The function must be arm64 with 128 MB."
  }
  assert {
    condition     = aws_lambda_function.watchdog.source_code_hash == filebase64sha256("../lambda/watchdog/dist/watchdog.zip")
    error_message = "source_code_hash must be the hash of the built zip, so only a code change redeploys."
  }
  assert {
    # 3 probes x 5 s + 2 pauses x 5 s + 4 AWS calls x 5 s + 10 s margin.
    condition     = aws_lambda_function.watchdog.timeout == 55
    error_message = "With the default settings the timeout must be 55 s, got ${aws_lambda_function.watchdog.timeout}."
  }
  assert {
    condition = jsonencode(aws_lambda_function.watchdog.environment[0].variables) == jsonencode({
      WORKER_INSTANCE_ID        = "i-0123456789abcdef0"
      HEALTHCHECK_URL           = "https://laptop.tail1234.ts.net/health"
      ALERT_TOPIC_ARN           = "arn:aws:sns:eu-west-3:123456789012:home-failover-alerts"
      EXPECTED_BODY             = ""
      PROBE_TIMEOUT_SECONDS     = "5"
      PROBE_ATTEMPTS            = "3"
      PROBE_RETRY_DELAY_SECONDS = "5"
      FAILBACK_AFTER_SECONDS    = "600"
      STUCK_AFTER_SECONDS       = "900"
      API_TIMEOUT_SECONDS       = "5"
      DRY_RUN                   = "false"
    })
    error_message = "Unexpected environment: ${jsonencode(aws_lambda_function.watchdog.environment[0].variables)}"
  }
  assert {
    condition     = aws_lambda_function.watchdog.logging_config[0].log_group == aws_cloudwatch_log_group.watchdog.name && aws_cloudwatch_log_group.watchdog.retention_in_days == 30
    error_message = "The function must log to its own log group, kept 30 days."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.watchdog.maximum_retry_attempts == 0 && aws_lambda_function_event_invoke_config.watchdog.maximum_event_age_in_seconds == 60
    error_message = "An asynchronous tick must never be retried nor kept more than 60 s."
  }

  # schedule every minute without retries
  assert {
    condition     = aws_scheduler_schedule.watchdog.schedule_expression == "rate(1 minute)" && aws_scheduler_schedule.watchdog.state == "ENABLED"
    error_message = "The watchdog must run every minute by default."
  }
  assert {
    condition     = aws_scheduler_schedule.watchdog.flexible_time_window[0].mode == "OFF"
    error_message = "A flexible window would delay detection."
  }
  assert {
    condition = (
      aws_scheduler_schedule.watchdog.target[0].retry_policy[0].maximum_retry_attempts == 0 &&
      aws_scheduler_schedule.watchdog.target[0].retry_policy[0].maximum_event_age_in_seconds == 60
    )
    error_message = "The schedule must not retry a tick."
  }
  assert {
    condition     = aws_scheduler_schedule.watchdog.target[0].arn == aws_lambda_function.watchdog.arn && aws_scheduler_schedule.watchdog.target[0].role_arn == aws_iam_role.scheduler.arn
    error_message = "The schedule must invoke the watchdog with its own role."
  }
  assert {
    condition     = output.schedule_expression == "rate(1 minute) (ENABLED)"
    error_message = "The schedule output must show the expression and the state, got ${output.schedule_expression}."
  }

  # alarms watch the watchdog
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.watchdog_errors.metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.watchdog_errors.dimensions.FunctionName == aws_lambda_function.watchdog.function_name &&
      aws_cloudwatch_metric_alarm.watchdog_errors.comparison_operator == "GreaterThanOrEqualToThreshold" &&
      aws_cloudwatch_metric_alarm.watchdog_errors.threshold == 1 &&
      aws_cloudwatch_metric_alarm.watchdog_errors.period == 60
    )
    error_message = "One failed tick must raise the errors alarm."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.watchdog_not_running.metric_name == "Invocations" &&
      aws_cloudwatch_metric_alarm.watchdog_not_running.comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.watchdog_not_running.threshold == 1 &&
      aws_cloudwatch_metric_alarm.watchdog_not_running.treat_missing_data == "breaching" &&
      aws_cloudwatch_metric_alarm.watchdog_not_running.period == 60 &&
      aws_cloudwatch_metric_alarm.watchdog_not_running.evaluation_periods == 3 &&
      aws_cloudwatch_metric_alarm.watchdog_not_running.actions_enabled
    )
    error_message = "Three periods without an invocation must raise the not-running alarm."
  }
  assert {
    condition = alltrue([for alarm in [aws_cloudwatch_metric_alarm.watchdog_errors, aws_cloudwatch_metric_alarm.watchdog_not_running] :
      alarm.alarm_actions == toset([aws_sns_topic.alerts.arn]) && alarm.ok_actions == toset([aws_sns_topic.alerts.arn])
    ])
    error_message = "Both alarms must alert, and tell the recovery, on the alert topic."
  }

  # no email no subscription
  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "Without alert_email there must be no subscription."
  }

  # outputs
  assert {
    condition = (
      output.function_name == "home-failover-watchdog" &&
      output.log_group_name == "/aws/lambda/home-failover-watchdog" &&
      output.worker_instance_id == "i-0123456789abcdef0" &&
      output.alert_topic_arn == aws_sns_topic.alerts.arn &&
      output.schedule_name == "home-failover-watchdog" &&
      output.worker_session_command == "aws ssm start-session --region eu-west-3 --target i-0123456789abcdef0"
    )
    error_message = "Unexpected outputs."
  }
}

run "function_settings_reach_the_environment" {
  command = apply

  variables {
    expected_body             = "ok"
    probe_timeout_seconds     = 2.5
    probe_attempts            = 4
    probe_retry_delay_seconds = 0
    failback_after_seconds    = 1800
    stuck_after_seconds       = 120
    api_timeout_seconds       = 3
    dry_run                   = true
  }

  assert {
    condition = jsonencode({ for k, v in aws_lambda_function.watchdog.environment[0].variables : k => v if k != "HEALTHCHECK_URL" && k != "ALERT_TOPIC_ARN" && k != "WORKER_INSTANCE_ID" }) == jsonencode({
      EXPECTED_BODY             = "ok"
      PROBE_TIMEOUT_SECONDS     = "2.5"
      PROBE_ATTEMPTS            = "4"
      PROBE_RETRY_DELAY_SECONDS = "0"
      FAILBACK_AFTER_SECONDS    = "1800"
      STUCK_AFTER_SECONDS       = "120"
      API_TIMEOUT_SECONDS       = "3"
      DRY_RUN                   = "true"
    })
    error_message = "Unexpected environment: ${jsonencode(aws_lambda_function.watchdog.environment[0].variables)}"
  }
  assert {
    # 4 x 2.5 + 3 x 0 + 4 x 3 + 10 = 32.
    condition     = aws_lambda_function.watchdog.timeout == 32
    error_message = "The timeout must follow the probe and API settings: expected 32 s, got ${aws_lambda_function.watchdog.timeout}."
  }
}

run "timeout_rounds_up" {
  command = apply

  variables {
    probe_timeout_seconds = 0.3
    probe_attempts        = 1
    api_timeout_seconds   = 0.1
  }

  assert {
    # 0.3 + 0.4 + 10 = 10.7, rounded up: never below the worst case.
    condition     = aws_lambda_function.watchdog.timeout == 11
    error_message = "The timeout must round up, got ${aws_lambda_function.watchdog.timeout}."
  }
}

run "timeout_beyond_lambda_limit_is_refused" {
  command = plan

  variables {
    probe_attempts            = 10
    probe_timeout_seconds     = 60
    probe_retry_delay_seconds = 60
    api_timeout_seconds       = 30
  }

  expect_failures = [aws_lambda_function.watchdog]
}

run "alarm_periods_follow_the_schedule" {
  command = apply

  variables {
    schedule_expression = "rate(5 minutes)"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.watchdog_not_running.period == 300 && aws_cloudwatch_metric_alarm.watchdog_errors.period == 300
    error_message = "With rate(5 minutes) the alarms must count 5-minute periods."
  }
}

run "alarm_periods_hourly" {
  command = apply

  variables {
    schedule_expression = "rate(1 hour)"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.watchdog_not_running.period == 3600
    error_message = "With rate(1 hour) the not-running alarm must count hours."
  }
}

run "paused_schedule_silences_the_not_running_alarm" {
  command = apply

  variables {
    schedule_enabled = false
  }

  assert {
    condition     = aws_scheduler_schedule.watchdog.state == "DISABLED" && !aws_cloudwatch_metric_alarm.watchdog_not_running.actions_enabled
    error_message = "schedule_enabled = false must disable the schedule and the not-running alarm's actions."
  }
}

run "email_subscription" {
  command = apply

  variables {
    alert_email = "me@example.com"
  }

  assert {
    condition = (
      length(aws_sns_topic_subscription.email) == 1 &&
      aws_sns_topic_subscription.email[0].protocol == "email" &&
      aws_sns_topic_subscription.email[0].endpoint == "me@example.com" &&
      aws_sns_topic_subscription.email[0].topic_arn == aws_sns_topic.alerts.arn
    )
    error_message = "alert_email must subscribe that address to the alert topic."
  }
}

