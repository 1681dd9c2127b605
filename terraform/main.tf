# What every file shares: where we deploy, and which instance is the worker.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
# `id` is the region name with both provider 5.x and 6.x (6.x deprecates `name` for `region`, which 5.x lacks).
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  # The worker is created here unless the user brings their own instance.
  create_worker      = var.worker_instance_id == null
  worker_instance_id = local.create_worker ? aws_instance.worker[0].id : var.worker_instance_id
  # Built rather than read from aws_instance.worker, so a brought instance gets the same scoping.
  worker_arn = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/${local.worker_instance_id}"
}
