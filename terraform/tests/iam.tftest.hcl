# Least privilege: every action and every resource of every policy, exactly.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  healthcheck_url = "https://laptop.tail1234.ts.net/health"
  gitops_repo_url = "https://github.com/me/discord-bot.git"
}

# The three roles' policies with the default settings, statement by statement.
run "default_policies" {
  command = apply

  # watchdog actions exactly
  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.watchdog.statement : s.sid => sort(s.actions) }) == jsonencode({
      ReadWorkerState      = ["ec2:DescribeInstances"]
      StartStopWorker      = ["ec2:StartInstances", "ec2:StopInstances"]
      RememberInWorkerTags = ["ec2:CreateTags", "ec2:DeleteTags"]
      SendAlerts           = ["sns:Publish"]
      WriteOwnLogs         = ["logs:CreateLogStream", "logs:PutLogEvents"]
    })
    error_message = "Unexpected watchdog actions: ${jsonencode({ for s in data.aws_iam_policy_document.watchdog.statement : s.sid => s.actions })}"
  }

  # watchdog resources exactly
  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.watchdog.statement : s.sid => sort(s.resources) }) == jsonencode({
      ReadWorkerState      = ["*"]
      StartStopWorker      = ["arn:aws:ec2:eu-west-3:123456789012:instance/i-0123456789abcdef0"]
      RememberInWorkerTags = ["arn:aws:ec2:eu-west-3:123456789012:instance/i-0123456789abcdef0"]
      SendAlerts           = ["arn:aws:sns:eu-west-3:123456789012:home-failover-alerts"]
      WriteOwnLogs         = ["arn:aws:logs:eu-west-3:123456789012:log-group:/aws/lambda/home-failover-watchdog:*"]
    })
    error_message = "Unexpected watchdog resources: ${jsonencode({ for s in data.aws_iam_policy_document.watchdog.statement : s.sid => s.resources })}"
  }
  assert {
    condition     = aws_iam_role_policy.watchdog.policy == data.aws_iam_policy_document.watchdog.json && aws_iam_role_policy.watchdog.role == aws_iam_role.watchdog.id
    error_message = "The watchdog role must carry this document."
  }
  assert {
    condition     = aws_lambda_function.watchdog.role == aws_iam_role.watchdog.arn
    error_message = "The function must run as the watchdog role."
  }

  # watchdog tags only its own keys
  assert {
    condition = jsonencode([for s in data.aws_iam_policy_document.watchdog.statement : s.condition if s.sid == "RememberInWorkerTags"][0]) == jsonencode([
      { test = "ForAllValues:StringEquals", values = ["watchdog:healthy-since", "watchdog:open-alerts", "watchdog:transitional-since"], variable = "aws:TagKeys" },
      { test = "Null", values = ["false"], variable = "aws:TagKeys" },
    ])
    error_message = "Tag writes must be limited to the watchdog's two keys, always named."
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.watchdog.statement : length(s.condition) == 0 if s.sid != "RememberInWorkerTags"])
    error_message = "Only the tag statement has conditions."
  }

  # scheduler invokes only the watchdog
  assert {
    condition = jsonencode([for s in data.aws_iam_policy_document.scheduler.statement : { actions = s.actions, resources = s.resources }]) == jsonencode([
      { actions = ["lambda:InvokeFunction"], resources = ["arn:aws:lambda:eu-west-3:123456789012:function:home-failover-watchdog"] },
    ])
    error_message = "The scheduler role may only invoke the watchdog."
  }
  assert {
    condition = jsonencode(data.aws_iam_policy_document.scheduler_assume.statement[0].condition) == jsonencode([
      { test = "StringEquals", values = ["123456789012"], variable = "aws:SourceAccount" },
    ])
    error_message = "Only this account's schedules may assume the scheduler role."
  }
  assert {
    condition     = aws_iam_role.scheduler.assume_role_policy == data.aws_iam_policy_document.scheduler_assume.json && one(data.aws_iam_policy_document.scheduler_assume.statement[0].principals).identifiers == toset(["scheduler.amazonaws.com"])
    error_message = "The scheduler role must trust EventBridge Scheduler."
  }

  # worker without secrets
  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.worker.statement : s.sid => { actions = sort(s.actions), resources = sort(s.resources) } }) == jsonencode({
      SessionManager = {
        actions   = ["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
        resources = ["*"]
      }
      SendAlerts = { actions = ["sns:Publish"], resources = ["arn:aws:sns:eu-west-3:123456789012:home-failover-alerts"] }
    })
    error_message = "Unexpected worker policy: ${jsonencode(data.aws_iam_policy_document.worker.statement)}"
  }
  assert {
    condition     = aws_iam_role_policy.worker[0].policy == data.aws_iam_policy_document.worker.json && aws_iam_instance_profile.worker[0].role == aws_iam_role.worker[0].name
    error_message = "The worker's instance profile must carry this document."
  }
}

# Every optional grant on (secrets path, customer managed key): still nothing broader.
run "every_grant_enabled" {
  command = apply

  variables {
    worker_secrets_ssm_path    = "/discord-bot"
    worker_secrets_kms_key_arn = "arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = alltrue(flatten([
      for doc in [data.aws_iam_policy_document.watchdog, data.aws_iam_policy_document.scheduler, data.aws_iam_policy_document.worker] : [
        for s in doc.statement : [for a in s.actions : !strcontains(a, "*")]
      ]
    ]))
    error_message = "No action may contain a wildcard."
  }
  assert {
    condition = alltrue(flatten([
      for doc in [data.aws_iam_policy_document.watchdog, data.aws_iam_policy_document.scheduler, data.aws_iam_policy_document.worker] : [
        for s in doc.statement : (s.effect == null || s.effect == "Allow") && s.not_actions == null && s.not_resources == null
      ]
    ]))
    error_message = "Every statement is a plain Allow of listed actions on listed resources."
  }
  assert {
    condition = jsonencode(sort(flatten([
      for doc in [data.aws_iam_policy_document.watchdog, data.aws_iam_policy_document.scheduler, data.aws_iam_policy_document.worker] : [
        for s in doc.statement : s.sid if contains(s.resources, "*")
      ]
    ]))) == jsonencode(["ReadWorkerState", "SessionManager"])
    error_message = "Only DescribeInstances and Session Manager, which cannot be scoped, may use the \"*\" resource."
  }
  assert {
    condition = jsonencode([for s in data.aws_iam_policy_document.worker.statement : { actions = s.actions, resources = s.resources, condition = s.condition } if s.sid == "DecryptBotSecrets"]) == jsonencode([{
      actions   = ["kms:Decrypt"]
      resources = ["arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      condition = [{ test = "StringEquals", values = ["ssm.eu-west-3.amazonaws.com"], variable = "kms:ViaService" }]
    }])
    error_message = "A customer managed key may be used through SSM only."
  }
}

run "worker_reads_only_its_secrets_path" {
  command = apply

  variables {
    worker_secrets_ssm_path = "/discord-bot"
  }

  assert {
    condition = jsonencode([for s in data.aws_iam_policy_document.worker.statement : { actions = s.actions, resources = sort(s.resources) } if s.sid == "ReadBotSecrets"]) == jsonencode([
      { actions = ["ssm:GetParametersByPath"], resources = ["arn:aws:ssm:eu-west-3:123456789012:parameter/discord-bot", "arn:aws:ssm:eu-west-3:123456789012:parameter/discord-bot/*"] },
    ])
    error_message = "The worker may only read parameters under its path."
  }
  assert {
    condition     = length([for s in data.aws_iam_policy_document.worker.statement : s if s.sid == "DecryptBotSecrets"]) == 0
    error_message = "With the aws/ssm key no KMS grant is needed."
  }
}

