# Least privilege, one role per actor, every grant scoped to the one resource it is for.
# No statement has a wildcard action; the only "*" resources are for actions that cannot be scoped.
# test/terraform/drift.test.ts checks the watchdog's EC2/SNS actions and tag keys against its code.

locals {
  # The only tags the watchdog writes (lambda/watchdog/src/memory.ts TAGS). watchdog:hold is the owner's:
  # the watchdog reads it but must never be able to set or remove it.
  watchdog_tag_keys = ["watchdog:healthy-since", "watchdog:open-alerts", "watchdog:transitional-since"]

  secrets_parameter_arn = var.worker_secrets_ssm_path == null ? null : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.worker_secrets_ssm_path}"
}

# The watchdog function ---------------------------------------------------------------------------

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "watchdog" {
  name               = "${var.name}-watchdog"
  description        = "The failover watchdog Lambda."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "watchdog" {
  statement {
    sid = "ReadWorkerState"
    # DescribeInstances supports no resource-level permission: it is "*" or nothing.
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }

  statement {
    sid       = "StartStopWorker"
    actions   = ["ec2:StartInstances", "ec2:StopInstances"]
    resources = [local.worker_arn]
  }

  statement {
    sid       = "RememberInWorkerTags"
    actions   = ["ec2:CreateTags", "ec2:DeleteTags"]
    resources = [local.worker_arn]

    # Only the watchdog's own keys...
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = local.watchdog_tag_keys
    }
    # ...and always named: DeleteTags without keys deletes every tag, which ForAllValues alone would allow.
    condition {
      test     = "Null"
      variable = "aws:TagKeys"
      values   = ["false"]
    }
  }

  statement {
    sid       = "SendAlerts"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }

  statement {
    sid     = "WriteOwnLogs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # The group's streams: Lambda creates one per container.
    resources = ["${aws_cloudwatch_log_group.watchdog.arn}:*"]
  }
}

resource "aws_iam_role_policy" "watchdog" {
  name   = "watchdog"
  role   = aws_iam_role.watchdog.id
  policy = data.aws_iam_policy_document.watchdog.json
}

# The schedule ------------------------------------------------------------------------------------

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    # Only schedules of this account may use the role (AWS's confused-deputy advice).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  description        = "EventBridge Scheduler invoking the failover watchdog."
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeWatchdog"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.watchdog.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-watchdog"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# The standby worker (only when this configuration creates it) ------------------------------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  count = local.create_worker ? 1 : 0

  name               = "${var.name}-worker"
  description        = "The failover worker EC2 instance."
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

data "aws_iam_policy_document" "worker" {
  # Session Manager only, as AWS's own AWSCloud9SSMInstanceProfile grants it. Not AmazonSSMManagedInstanceCore:
  # that one also allows ssm:GetParameter(s) on every parameter of the account, secrets included.
  # These actions support no resource-level permission.
  statement {
    sid = "SessionManager"
    actions = [
      "ssm:UpdateInstanceInformation",
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }

  # The boot script tells the owner when provisioning ends, and when a failover boot cannot set the bot up.
  statement {
    sid       = "SendAlerts"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }

  # The bot's secrets: the path and what is under it, nothing else. With the default aws/ssm key no KMS grant
  # is needed (its key policy lets the account's principals decrypt through SSM); a customer managed key is
  # granted for use through SSM only.
  dynamic "statement" {
    for_each = var.worker_secrets_ssm_path == null ? [] : [local.secrets_parameter_arn]
    content {
      sid       = "ReadBotSecrets"
      actions   = ["ssm:GetParametersByPath"]
      resources = [statement.value, "${statement.value}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.worker_secrets_ssm_path == null || var.worker_secrets_kms_key_arn == null ? [] : [var.worker_secrets_kms_key_arn]
    content {
      sid       = "DecryptBotSecrets"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "worker" {
  count = local.create_worker ? 1 : 0

  name   = "worker"
  role   = aws_iam_role.worker[0].id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_iam_instance_profile" "worker" {
  count = local.create_worker ? 1 : 0

  name = "${var.name}-worker"
  role = aws_iam_role.worker[0].name
}
