# The demo infrastructure: what `scripts/demo` builds in the local AWS emulator, in two regions.
#
# Terraform providers cannot be downloaded on our machines, so the demo does not run
# `terraform apply`: its seeder (crates/testkit/src/seed.rs) creates exactly these resources
# through the EC2 API and writes the state (format version 4) that an apply of this code writes.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "env" {
  type    = string
  default = "prod"
}

provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "eu"
  region = "eu-west-1"
}

locals {
  tags = { Env = var.env, ManagedBy = "terraform" }
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = merge(local.tags, { Name = "main" })
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index + 1)
  availability_zone = ["us-east-1a", "us-east-1b"][count.index]
  tags              = merge(local.tags, { Name = "private-${["a", "b"][count.index]}" })
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  ingress {
    description = "http"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "web" })
}

resource "aws_instance" "web" {
  count                  = 2
  ami                    = "ami-0c55b159cbfafe1f0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private[count.index % 2].id
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = merge(local.tags, { Name = "web-${count.index}" })
}

module "storage" {
  source            = "./modules/storage"
  availability_zone = "us-east-1a"
  tags              = local.tags
}

# The same resources exist in eu-west-1 through `provider = aws.eu` (a second root module in a
# real project); they are omitted here for brevity.
