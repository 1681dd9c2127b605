# The watchdog of the watchdog: CloudWatch tells the owner when the function fails (a broken
# configuration fails every tick on purpose, see handler.ts) or when it stops being invoked at all.

resource "aws_cloudwatch_metric_alarm" "watchdog_errors" {
  alarm_name        = "${var.name}-watchdog-errors"
  alarm_description = "The failover watchdog failed (error or timeout): it may not fail over. See the log group ${aws_cloudwatch_log_group.watchdog.name}."

  namespace   = "AWS/Lambda"
  metric_name = "Errors"
  dimensions  = { FunctionName = aws_lambda_function.watchdog.function_name }
  statistic   = "Sum"
  period      = local.schedule_seconds

  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  # No invocation means no error datapoint: that case is the other alarm's.
  treat_missing_data = "notBreaching"

  alarm_actions = [aws_sns_topic.alerts.arn]
  ok_actions    = [aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_metric_alarm" "watchdog_not_running" {
  alarm_name        = "${var.name}-watchdog-not-running"
  alarm_description = "The failover watchdog has not run for ${local.heartbeat_periods} schedule periods: nothing watches the laptop."

  namespace   = "AWS/Lambda"
  metric_name = "Invocations"
  dimensions  = { FunctionName = aws_lambda_function.watchdog.function_name }
  statistic   = "Sum"
  period      = local.schedule_seconds

  comparison_operator = "LessThanThreshold"
  threshold           = 1
  # Several periods in a row, so one tick landing late in the next minute is not an outage.
  evaluation_periods  = local.heartbeat_periods
  datapoints_to_alarm = local.heartbeat_periods
  # Lambda publishes no Invocations datapoint at all when nothing runs: missing is the failure.
  treat_missing_data = "breaching"

  # A paused schedule (schedule_enabled = false) is not an outage.
  actions_enabled = var.schedule_enabled
  alarm_actions   = [aws_sns_topic.alerts.arn]
  ok_actions      = [aws_sns_topic.alerts.arn]
}

locals {
  heartbeat_periods = 3
}
