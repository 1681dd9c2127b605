# Where the owner hears about failovers, failbacks and a failing watchdog: one topic, email optional.
# Not KMS-encrypted on purpose: CloudWatch alarms cannot publish to a topic under the aws/sns key,
# and a customer managed key costs $1 a month, against a bill meant to be zero.

resource "aws_sns_topic" "alerts" {
  name         = "${var.name}-alerts"
  display_name = var.name
}

# AWS emails a confirmation link; the subscription stays pending, and silent, until it is clicked.
resource "aws_sns_topic_subscription" "email" {
  count = var.alert_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}
