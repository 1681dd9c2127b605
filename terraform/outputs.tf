output "function_name" {
  description = "Name of the watchdog Lambda function (aws lambda invoke --function-name <this> /dev/stdout runs one tick)."
  value       = aws_lambda_function.watchdog.function_name
}

output "log_group_name" {
  description = "CloudWatch log group of the watchdog: one JSON line per tick (aws logs tail <this> --follow)."
  value       = aws_cloudwatch_log_group.watchdog.name
}

output "worker_instance_id" {
  description = "Instance id of the standby worker the watchdog starts and stops."
  value       = local.worker_instance_id
}

output "worker_session_command" {
  description = "Opens a shell on the worker through SSM Session Manager (it has no inbound port); the worker must be running."
  value       = "aws ssm start-session --region ${local.region} --target ${local.worker_instance_id}"
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic that carries every alert (watchdog, worker, CloudWatch alarms)."
  value       = aws_sns_topic.alerts.arn
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule that invokes the watchdog."
  value       = aws_scheduler_schedule.watchdog.name
}

output "schedule_expression" {
  description = "How often the watchdog runs, and whether the schedule is enabled."
  value       = "${aws_scheduler_schedule.watchdog.schedule_expression} (${aws_scheduler_schedule.watchdog.state})"
}

output "watchdog_environment" {
  description = "The watchdog's settings as its Lambda sees them: scripts/invoke (make invoke) runs the built handler locally with these."
  value       = local.watchdog_environment
}
