# Realistic values for what the AWS provider computes, where the configuration or the provider's own
# validation reads them: mock_provider's random strings are not ARNs, ids or JSON.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/deployer"
  }
}

mock_data "aws_partition" {
  defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
}

mock_data "aws_region" {
  defaults = { id = "eu-west-3", name = "eu-west-3" }
}

mock_data "aws_ssm_parameter" {
  defaults = { value = "ami-0123456789abcdef0", insecure_value = "ami-0123456789abcdef0" }
}

mock_data "aws_vpc" {
  defaults = { id = "vpc-0123456789abcdef0" }
}

mock_data "aws_subnet" {
  defaults = { vpc_id = "vpc-0fedcba9876543210" }
}

# The documents' statements are what the tests check; their rendered JSON only has to parse.
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/home-failover-mock" }
}

mock_resource "aws_iam_instance_profile" {
  defaults = { arn = "arn:aws:iam::123456789012:instance-profile/home-failover-worker" }
}

mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-3:123456789012:home-failover-alerts" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-3:123456789012:log-group:/aws/lambda/home-failover-watchdog" }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:eu-west-3:123456789012:function:home-failover-watchdog"
    invoke_arn = "arn:aws:apigateway:eu-west-3:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-3:123456789012:function:home-failover-watchdog/invocations"
  }
}

mock_resource "aws_security_group" {
  defaults = { id = "sg-0123456789abcdef0" }
}

mock_resource "aws_instance" {
  defaults = {
    id  = "i-0123456789abcdef0"
    arn = "arn:aws:ec2:eu-west-3:123456789012:instance/i-0123456789abcdef0"
  }
}
