# A small but complete root module for driftd's HCL reader: a VPC, a local module with subnets,
# a security group built with a dynamic block, instances with count, volumes with for_each, and
# a second region through a provider alias.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "web/terraform.tfstate"
    region = "us-east-1"
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "eu"
  region = "eu-west-1"
}

locals {
  name = "${var.project}-${var.environment}"
  common_tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }
  azs = ["${var.region}a", "${var.region}b"]
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  tags                 = merge(local.common_tags, { Name = local.name })
}

module "net" {
  source = "./modules/net"

  vpc_id   = aws_vpc.main.id
  vpc_cidr = var.vpc_cidr
  azs      = local.azs
  name     = local.name
  tags     = local.common_tags
}

resource "aws_security_group" "web" {
  name        = "${local.name}-web"
  description = "Web servers"
  vpc_id      = aws_vpc.main.id

  dynamic "ingress" {
    for_each = var.web_ports
    content {
      description = format("port %d", ingress.value)
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.vpc_cidr]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = local.common_tags
}

resource "aws_instance" "web" {
  count = var.web_count

  ami                    = var.ami
  instance_type          = var.instance_type
  subnet_id              = module.net.subnet_ids[count.index]
  vpc_security_group_ids = [aws_security_group.web.id]

  tags = merge(local.common_tags, {
    Name = format("%s-web-%02d", local.name, count.index + 1)
  })

  lifecycle {
    ignore_changes = [ami, tags["Deployed"]]
  }
}

resource "aws_ebs_volume" "data" {
  for_each = var.volumes

  availability_zone = local.azs[0]
  size              = each.value
  type              = "gp3"
  tags              = merge(local.common_tags, { Name = "${local.name}-${each.key}" })
}

resource "aws_vpc" "replica" {
  provider = aws.eu

  cidr_block = cidrsubnet("10.0.0.0/8", 8, 2)
  tags       = merge(local.common_tags, { Name = upper("${local.name}-replica") })
}
