# The watchdog's clock: EventBridge Scheduler (AWS now calls scheduled EventBridge rules legacy).

locals {
  # The period in seconds; variables.tf only accepts rate(1 minute) to rate(1 hour).
  schedule_rate    = regex("^rate\\((\\d+) (minute|minutes|hour)\\)$", var.schedule_expression)
  schedule_seconds = tonumber(local.schedule_rate[0]) * (local.schedule_rate[1] == "hour" ? 3600 : 60)
}

resource "aws_scheduler_schedule" "watchdog" {
  name                = "${var.name}-watchdog"
  description         = "Runs the failover watchdog."
  schedule_expression = var.schedule_expression
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"

  # On the dot: a flexible window would only add up to its length to the detection time.
  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.watchdog.arn
    role_arn = aws_iam_role.scheduler.arn

    # No retries: a missed tick is followed by the next one within a period, and a late one
    # would act on a stale view. 60 s is the shortest age Scheduler accepts.
    retry_policy {
      maximum_retry_attempts       = 0
      maximum_event_age_in_seconds = 60
    }
  }
}
