provider "aws" {
  # null: the region of the AWS CLI profile or AWS_REGION, as for any AWS tool.
  region = var.region

  default_tags {
    tags = merge({ Project = var.name, ManagedBy = "terraform" }, var.tags)
  }

  # The watchdog keeps its memory in tags on the worker (watchdog:healthy-since, watchdog:open-alerts, …)
  # and the owner pauses it with watchdog:hold. Without this, every `terraform apply` would delete them:
  # the watchdog would forget when the laptop came back, and a hold set for maintenance would vanish.
  ignore_tags {
    key_prefixes = ["watchdog:"]
  }
}
