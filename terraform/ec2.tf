# The cold-standby worker: stopped except during an outage. Its first boot installs K3s and Argo CD and
# powers it off again; every later boot is a failover, and registers the bot's Argo CD Application
# (templates/worker-user-data.sh.tftpl). Nothing here is created when worker_instance_id is given.

locals {
  # The Argo CD Application the worker registers on a failover boot (the reference's "ArgoCD sur EC2").
  argocd_application = {
    apiVersion = "argoproj.io/v1alpha1"
    kind       = "Application"
    metadata   = { name = lower(var.name), namespace = "argocd" }
    spec = {
      project = "default"
      source = {
        repoURL        = var.gitops_repo_url == null ? "" : var.gitops_repo_url
        path           = var.gitops_path
        targetRevision = var.gitops_revision
      }
      destination = { server = "https://kubernetes.default.svc", namespace = var.app_namespace }
      syncPolicy = {
        automated   = { prune = true, selfHeal = true }
        syncOptions = ["CreateNamespace=true"]
      }
    }
  }

  worker_settings = {
    NAME             = lower(var.name)
    K3S_VERSION      = var.k3s_version
    ARGOCD_VERSION   = var.argocd_version
    ALERT_TOPIC_ARN  = aws_sns_topic.alerts.arn
    APP_NAMESPACE    = var.app_namespace
    SECRETS_SSM_PATH = var.worker_secrets_ssm_path == null ? "" : var.worker_secrets_ssm_path
    SECRETS_NAME     = var.worker_secrets_name
    APPLICATION      = jsonencode(local.argocd_application)
  }

  # Every value single-quoted for bash (' becomes '\''), so no setting can break out of its assignment.
  worker_user_data = templatefile("${path.module}/templates/worker-user-data.sh.tftpl", {
    settings = { for key, value in local.worker_settings : key => "'${replace(value, "'", "'\\''")}'" }
  })
}

data "aws_ssm_parameter" "worker_ami" {
  count = local.create_worker ? 1 : 0
  name  = var.worker_ami_ssm_parameter
}

data "aws_vpc" "default" {
  count   = local.create_worker && var.worker_subnet_id == null ? 1 : 0
  default = true
}

data "aws_subnet" "worker" {
  count = local.create_worker && var.worker_subnet_id != null ? 1 : 0
  id    = var.worker_subnet_id
}

resource "aws_security_group" "worker" {
  count = local.create_worker ? 1 : 0

  name        = "${var.name}-worker"
  description = "Failover worker: no inbound (SSM Session Manager instead of SSH), all outbound (K3s, Argo CD, Git, SSM)."
  vpc_id      = var.worker_subnet_id == null ? data.aws_vpc.default[0].id : data.aws_subnet.worker[0].vpc_id

  # Explicitly empty rather than omitted: Terraform then also removes an inbound rule added by hand.
  ingress = []

  egress {
    description      = "Outbound: images, Git, K3s and Argo CD releases, SSM and SNS endpoints"
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  tags = { Name = "${var.name}-worker" }
}

resource "aws_instance" "worker" {
  count = local.create_worker ? 1 : 0

  # insecure_value: an AMI id is public, and `value` would hide it in every plan.
  ami                    = data.aws_ssm_parameter.worker_ami[0].insecure_value
  instance_type          = var.worker_instance_type
  subnet_id              = var.worker_subnet_id
  vpc_security_group_ids = [aws_security_group.worker[0].id]
  iam_instance_profile   = aws_iam_instance_profile.worker[0].name

  user_data = local.worker_user_data
  # User data only runs on an instance's first boot; a changed script needs a new instance. Updating it in
  # place would instead stop and start the worker, running it (and the bot) next to the laptop.
  user_data_replace_on_change = true

  # The first boot ends with a poweroff, which must stop the worker, never terminate it.
  instance_initiated_shutdown_behavior = "stop"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
    # One hop: the host's boot script reaches the metadata service, the bot's pods do not (nor the role).
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.worker_root_volume_gb
    encrypted             = true
    delete_on_termination = true
  }

  tags = { Name = "${var.name}-worker" }

  lifecycle {
    # The SSM parameter moves with every Amazon Linux release; replacing the worker each time would be a
    # surprise. `terraform apply -replace='aws_instance.worker[0]'` moves to the current AMI.
    ignore_changes = [ami]

    precondition {
      condition     = var.gitops_repo_url != null
      error_message = "gitops_repo_url is required when this configuration creates the worker: Argo CD there deploys the bot from it. Set it, or set worker_instance_id to use an existing worker."
    }

    precondition {
      condition     = length(local.worker_user_data) <= 16384
      error_message = "The worker's user data is ${length(local.worker_user_data)} characters, beyond the 16384 bytes EC2 accepts."
    }
  }

  # The boot script publishes to SNS and reads SSM: its permissions must be there when it runs.
  depends_on = [aws_iam_role_policy.worker]
}
