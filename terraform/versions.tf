terraform {
  # 1.7 brings mock_provider for the offline `terraform test` suite in tests/.
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100 is what CI has in its offline mirror; 6.x is current (and the first to accept nodejs24.x).
      version = ">= 5.100, < 7.0"
    }
  }
}
