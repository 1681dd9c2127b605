# Required ---------------------------------------------------------------------------------------

variable "healthcheck_url" {
  description = "The laptop's public healthcheck URL (Tailscale Funnel), such as https://laptop.tail1234.ts.net/health. The watchdog probes it every tick."
  type        = string

  validation {
    # Lambda reaches the laptop only through Funnel's https; credentials in the URL would land in logs and alerts.
    condition     = can(regex("^https://[^/?#@\\s]+([/?#]\\S*)?$", var.healthcheck_url))
    error_message = "healthcheck_url must be an https:// URL with a host and no user:password@, such as https://laptop.tail1234.ts.net/health."
  }
}

# Alerts -----------------------------------------------------------------------------------------

variable "alert_email" {
  description = "Email address subscribed to the alert topic (failover, failback, watchdog failures). AWS emails a confirmation link first: no alert arrives until it is clicked. null: create the topic without a subscription."
  type        = string
  default     = null

  validation {
    condition     = var.alert_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an email address such as me@example.com, or null."
  }
}

# Naming and placement ---------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every resource name (function, log group, schedule, topic, roles, worker) and the Project tag."
  type        = string
  default     = "home-failover"

  validation {
    # The strictest of the names it prefixes: IAM role names (64 characters with the longest suffix) and Lambda names.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,39}$", var.name))
    error_message = "name must be 1 to 40 letters, digits or hyphens, starting with a letter or digit."
  }
}

variable "region" {
  description = "AWS region to deploy to. null: the region of the AWS CLI profile or AWS_REGION."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (merged into the provider's default_tags)."
  type        = map(string)
  default     = {}
}

# The watchdog function --------------------------------------------------------------------------

variable "lambda_runtime" {
  description = "Lambda runtime of the watchdog. nodejs22.x works with both AWS provider 5.100 and 6.x; nodejs24.x needs provider 6.x (5.100 rejects it at plan)."
  type        = string
  default     = "nodejs22.x"

  validation {
    # The bundle targets ES2023 on Node 22 or later (rollup.config.mjs).
    condition     = can(regex("^nodejs(2[2-9]|[3-9][0-9])\\.x$", var.lambda_runtime))
    error_message = "lambda_runtime must be nodejs22.x or a later nodejsNN.x runtime."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the watchdog's logs (one JSON line per tick)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "schedule_expression" {
  description = "How often the watchdog runs, from rate(1 minute) to rate(1 hour). Detection takes about one period plus the confirmation probes, so the default is every minute."
  type        = string
  default     = "rate(1 minute)"

  validation {
    # EventBridge wants the singular with 1 and the plural otherwise; beyond an hour it is no longer a watchdog.
    condition     = can(regex("^rate\\((1 minute|([2-9]|[1-5][0-9]|60) minutes|1 hour)\\)$", var.schedule_expression))
    error_message = "schedule_expression must be rate(1 minute), rate(N minutes) with N from 2 to 60, or rate(1 hour)."
  }
}

variable "schedule_enabled" {
  description = "false pauses the watchdog: the schedule stops invoking it, and the \"not running\" alarm stops alerting."
  type        = bool
  default     = true
}

# The watchdog's settings: one variable per environment variable it reads (lambda/watchdog/src/config.ts),
# with the same defaults and limits, so a bad value fails at plan instead of in the Lambda.

variable "expected_body" {
  description = "Text the healthcheck body must contain (EXPECTED_BODY); \"\" accepts any 2xx body."
  type        = string
  default     = ""

  validation {
    # Route 53's rule, which config.ts follows: the match is within the first 5120 bytes.
    condition     = length(var.expected_body) <= 5120
    error_message = "expected_body must be at most 5120 characters."
  }
}

variable "probe_timeout_seconds" {
  description = "Deadline of one healthcheck probe, in seconds (PROBE_TIMEOUT_SECONDS)."
  type        = number
  default     = 5

  validation {
    condition     = var.probe_timeout_seconds >= 0.1 && var.probe_timeout_seconds <= 60
    error_message = "probe_timeout_seconds must be from 0.1 to 60: below that, healthy probes fail and the worker starts for nothing."
  }
}

variable "probe_attempts" {
  description = "Probes that must all fail before the laptop counts as down (PROBE_ATTEMPTS)."
  type        = number
  default     = 3

  validation {
    condition     = floor(var.probe_attempts) == var.probe_attempts && var.probe_attempts >= 1 && var.probe_attempts <= 10
    error_message = "probe_attempts must be a whole number from 1 to 10."
  }
}

variable "probe_retry_delay_seconds" {
  description = "Pause between two confirmation probes, in seconds (PROBE_RETRY_DELAY_SECONDS)."
  type        = number
  default     = 5

  validation {
    condition     = var.probe_retry_delay_seconds >= 0 && var.probe_retry_delay_seconds <= 60
    error_message = "probe_retry_delay_seconds must be from 0 to 60."
  }
}

variable "failback_after_seconds" {
  description = "How long the laptop must stay healthy before the watchdog stops the worker again, in seconds (FAILBACK_AFTER_SECONDS)."
  type        = number
  default     = 600

  validation {
    condition     = var.failback_after_seconds >= 0 && var.failback_after_seconds <= 604800
    error_message = "failback_after_seconds must be from 0 to 604800 (7 days)."
  }
}

variable "stuck_after_seconds" {
  description = "How long the worker may stay pending or stopping before the watchdog emails that it is stuck (it cannot act meanwhile), in seconds (STUCK_AFTER_SECONDS)."
  type        = number
  default     = 900

  validation {
    condition     = var.stuck_after_seconds >= 60 && var.stuck_after_seconds <= 86400
    error_message = "stuck_after_seconds must be from 60 to 86400 (a day)."
  }
}

variable "api_timeout_seconds" {
  description = "Deadline of one AWS API call (EC2 or SNS), retries included, in seconds (API_TIMEOUT_SECONDS)."
  type        = number
  default     = 5

  validation {
    condition     = var.api_timeout_seconds >= 0.1 && var.api_timeout_seconds <= 30
    error_message = "api_timeout_seconds must be from 0.1 to 30."
  }
}

variable "dry_run" {
  description = "true: the watchdog decides, logs and emails as usual, but never starts or stops the worker (DRY_RUN)."
  type        = bool
  default     = false
}

# The standby worker -----------------------------------------------------------------------------

variable "worker_instance_id" {
  description = "An existing instance to use as the worker instead of creating one (same region, already running K3s and Argo CD). null: this configuration creates one."
  type        = string
  default     = null

  validation {
    condition     = var.worker_instance_id == null || can(regex("^i-([0-9a-f]{8}|[0-9a-f]{17})$", var.worker_instance_id))
    error_message = "worker_instance_id must be an EC2 instance id such as i-0123456789abcdef0, or null."
  }
}

variable "gitops_repo_url" {
  description = "Git repository Argo CD deploys the bot from on the worker, such as https://github.com/me/discord-bot.git. Required when the worker is created. A private repository also needs Argo CD repository credentials, which this configuration does not create."
  type        = string
  default     = null

  validation {
    condition     = var.gitops_repo_url == null || can(regex("^(https://|ssh://|git@)\\S+$", var.gitops_repo_url))
    error_message = "gitops_repo_url must be a Git URL starting with https://, ssh:// or git@."
  }
}

variable "gitops_path" {
  description = "Directory of the bot's Kubernetes manifests in the repository (\".\" for the root)."
  type        = string
  default     = "."
}

variable "gitops_revision" {
  description = "Branch, tag or commit Argo CD follows."
  type        = string
  default     = "HEAD"
}

variable "app_namespace" {
  description = "Kubernetes namespace the bot is deployed into on the worker; the secrets Secret is created there too."
  type        = string
  default     = "bot"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.app_namespace))
    error_message = "app_namespace must be a Kubernetes namespace name: lowercase letters, digits and hyphens, at most 63."
  }
}

variable "worker_secrets_ssm_path" {
  description = "SSM Parameter Store path (such as /discord-bot) whose parameters become the Kubernetes Secret on every boot of the worker: one key per parameter, named after its last path segment. Store secrets as SecureString. null: no Secret."
  type        = string
  default     = null

  validation {
    condition     = var.worker_secrets_ssm_path == null || can(regex("^(/[A-Za-z0-9_.-]+)+$", var.worker_secrets_ssm_path))
    error_message = "worker_secrets_ssm_path must be an absolute path such as /discord-bot, without a trailing slash."
  }
}

variable "worker_secrets_name" {
  description = "Name of the Kubernetes Secret made from worker_secrets_ssm_path."
  type        = string
  default     = "bot-secrets"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.worker_secrets_name))
    error_message = "worker_secrets_name must be a Kubernetes object name: lowercase letters, digits, '-' and '.'."
  }
}

variable "worker_secrets_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the SecureString parameters, if not the default aws/ssm key (whose key policy already lets the account's roles decrypt through SSM). null: aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.worker_secrets_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.worker_secrets_kms_key_arn))
    error_message = "worker_secrets_kms_key_arn must be a KMS key ARN such as arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab, or null."
  }
}

variable "worker_instance_type" {
  description = "Instance type of the worker; must be arm64 (Graviton) to match the AMI. t4g.medium (2 vCPU, 4 GiB) leaves room for K3s, Argo CD and the bot; it costs nothing while stopped."
  type        = string
  default     = "t4g.medium"
}

variable "worker_ami_ssm_parameter" {
  description = "Public SSM parameter holding the worker's AMI id. Read once at creation: a newer AMI does not replace the worker (terraform apply -replace does)."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
}

variable "worker_root_volume_gb" {
  description = "Size of the worker's encrypted gp3 root volume in GiB. Billed even while the worker is stopped (about $0.08 per GiB-month)."
  type        = number
  default     = 12

  validation {
    # Amazon Linux 2023's snapshot is 8 GiB; K3s, Argo CD and a bot image need a few more.
    condition     = floor(var.worker_root_volume_gb) == var.worker_root_volume_gb && var.worker_root_volume_gb >= 8 && var.worker_root_volume_gb <= 1024
    error_message = "worker_root_volume_gb must be a whole number from 8 to 1024."
  }
}

variable "worker_subnet_id" {
  description = "Subnet of the worker; it needs outbound internet (a public IP on launch, or NAT). null: a default subnet of the default VPC."
  type        = string
  default     = null
}

variable "k3s_version" {
  description = "K3s release installed on the worker's first boot."
  type        = string
  default     = "v1.34.9+k3s1"

  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+\\+k3s[0-9]+$", var.k3s_version))
    error_message = "k3s_version must be a K3s release tag such as v1.34.9+k3s1."
  }
}

variable "argocd_version" {
  description = "Argo CD release installed on the worker's first boot."
  type        = string
  default     = "v3.5.1"

  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_version))
    error_message = "argocd_version must be an Argo CD release tag such as v3.5.1."
  }
}
