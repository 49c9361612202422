# Subnets spread over the availability zones, one per zone, carved out of the VPC's range.

variable "vpc_id" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "azs" {
  type = list(string)
}

variable "name" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  subnets = { for i, az in var.azs : az => cidrsubnet(var.vpc_cidr, 8, i) }
}

resource "aws_subnet" "this" {
  for_each = local.subnets

  vpc_id            = var.vpc_id
  availability_zone = each.key
  cidr_block        = each.value
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

output "subnet_ids" {
  value = [for s in aws_subnet.this : s.id]
}
