# The cold-standby worker: locked down, encrypted, stopped by its own first boot; or brought by the user.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  healthcheck_url = "https://laptop.tail1234.ts.net/health"
  gitops_repo_url = "https://github.com/me/discord-bot.git"
}

# The worker with the default settings.
run "defaults" {
  command = apply

  # worker is locked down
  assert {
    condition = (
      aws_instance.worker[0].metadata_options[0].http_tokens == "required" &&
      aws_instance.worker[0].metadata_options[0].http_endpoint == "enabled" &&
      aws_instance.worker[0].metadata_options[0].http_put_response_hop_limit == 1
    )
    error_message = "The worker must require IMDSv2, with one hop so pods cannot reach it."
  }
  assert {
    condition = (
      aws_instance.worker[0].root_block_device[0].encrypted &&
      aws_instance.worker[0].root_block_device[0].volume_type == "gp3" &&
      aws_instance.worker[0].root_block_device[0].volume_size == 12
    )
    error_message = "The root volume must be an encrypted 12 GiB gp3 volume."
  }
  assert {
    condition     = length(aws_security_group.worker[0].ingress) == 0
    error_message = "The worker must accept no inbound traffic."
  }
  assert {
    condition = (
      length(aws_security_group.worker[0].egress) == 1 &&
      one(aws_security_group.worker[0].egress).protocol == "-1" &&
      one(aws_security_group.worker[0].egress).cidr_blocks == tolist(["0.0.0.0/0"])
    )
    error_message = "The worker needs outbound access (images, Git, SSM)."
  }
  assert {
    condition     = aws_instance.worker[0].vpc_security_group_ids == toset([aws_security_group.worker[0].id]) && aws_security_group.worker[0].vpc_id == "vpc-0123456789abcdef0"
    error_message = "The worker must sit in the default VPC behind its own security group only."
  }
  assert {
    condition     = aws_instance.worker[0].iam_instance_profile == aws_iam_instance_profile.worker[0].name
    error_message = "The worker must run with its instance profile (Session Manager, alerts, secrets)."
  }

  # worker first boot stops it
  assert {
    condition     = aws_instance.worker[0].instance_initiated_shutdown_behavior == "stop"
    error_message = "The first boot's poweroff must stop the worker, never terminate it."
  }
  assert {
    condition     = aws_instance.worker[0].user_data_replace_on_change
    error_message = "A changed boot script must replace the worker rather than start it in place."
  }
  assert {
    condition     = strcontains(aws_instance.worker[0].user_data, "systemctl --no-block poweroff")
    error_message = "The first boot must power the worker off."
  }

  # worker image and size
  assert {
    condition     = aws_instance.worker[0].ami == "ami-0123456789abcdef0" && data.aws_ssm_parameter.worker_ami[0].name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    error_message = "The AMI must come from the public Amazon Linux 2023 arm64 SSM parameter."
  }
  assert {
    condition     = aws_instance.worker[0].instance_type == "t4g.medium"
    error_message = "The default worker is a t4g.medium (arm64)."
  }
}

# The Argo CD Application and the secrets path reach the boot script.
run "worker_user_data" {
  command = apply

  variables {
    gitops_path             = "k8s/bot"
    gitops_revision         = "main"
    app_namespace           = "discord"
    worker_secrets_ssm_path = "/discord-bot"
  }

  assert {
    condition = jsondecode(local.worker_settings.APPLICATION).spec == {
      project     = "default"
      source      = { repoURL = "https://github.com/me/discord-bot.git", path = "k8s/bot", targetRevision = "main" }
      destination = { server = "https://kubernetes.default.svc", namespace = "discord" }
      syncPolicy  = { automated = { prune = true, selfHeal = true }, syncOptions = ["CreateNamespace=true"] }
    }
    error_message = "Unexpected Argo CD Application: ${local.worker_settings.APPLICATION}"
  }
  assert {
    condition     = strcontains(aws_instance.worker[0].user_data, "APPLICATION='${local.worker_settings.APPLICATION}'")
    error_message = "The user data must carry the Application."
  }
  assert {
    condition     = length(aws_instance.worker[0].user_data) < 16384
    error_message = "The user data must stay under EC2's 16 KiB."
  }
  assert {
    condition     = strcontains(aws_instance.worker[0].user_data, "SECRETS_SSM_PATH='/discord-bot'") && strcontains(aws_instance.worker[0].user_data, "get-parameters-by-path")
    error_message = "The worker must read its secrets from SSM at boot, by path."
  }
}

run "worker_in_a_given_subnet" {
  command = apply

  variables {
    worker_subnet_id = "subnet-0123456789abcdef0"
  }

  assert {
    condition     = aws_instance.worker[0].subnet_id == "subnet-0123456789abcdef0" && aws_security_group.worker[0].vpc_id == "vpc-0fedcba9876543210" && length(data.aws_vpc.default) == 0
    error_message = "A given subnet must place the worker, and its security group in that subnet's VPC."
  }
}

run "worker_needs_a_gitops_repository" {
  command = plan

  variables {
    gitops_repo_url = null
  }

  expect_failures = [aws_instance.worker]
}

run "brought_worker_creates_nothing" {
  command = apply

  variables {
    gitops_repo_url    = null
    worker_instance_id = "i-0fedcba9876543210"
  }

  assert {
    condition = (
      length(aws_instance.worker) + length(aws_security_group.worker) + length(aws_iam_role.worker) +
      length(aws_iam_instance_profile.worker) + length(aws_iam_role_policy.worker) + length(data.aws_ssm_parameter.worker_ami) == 0
    )
    error_message = "With worker_instance_id, no worker resource may be created."
  }
  assert {
    condition     = aws_lambda_function.watchdog.environment[0].variables.WORKER_INSTANCE_ID == "i-0fedcba9876543210" && output.worker_instance_id == "i-0fedcba9876543210"
    error_message = "The watchdog must watch the brought instance."
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.watchdog.statement : s.resources if s.sid == "StartStopWorker"][0] == toset(["arn:aws:ec2:eu-west-3:123456789012:instance/i-0fedcba9876543210"])
    error_message = "Start and stop must be scoped to the brought instance."
  }
}
