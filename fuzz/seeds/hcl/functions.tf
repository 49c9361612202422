variable "names" {
  type    = list(string)
  default = ["a", "b"]
}

locals {
  tags   = { Env = "prod", Team = upper("ops") }
  joined = join(",", [for n in var.names : "${n}-x" if n != "c"])
  count  = length(var.names) * 2 - 1
  cidr   = cidrsubnet("10.0.0.0/16", 8, 2)
  b64    = base64encode(jsonencode({ a = [1, 2.5, true, null] }))
  fmt    = format("%05d-%s", 42, lower("X"))
  heredoc = <<-EOT
    hello ${local.fmt}
    %{ for n in var.names }${n} %{ endfor }
  EOT
}

resource "aws_instance" "web" {
  count         = 2
  instance_type = count.index == 0 ? "t3.micro" : "t3.small"
  tags          = merge(local.tags, { Name = "web-${count.index}" })
  user_data     = local.heredoc

  dynamic "ebs_block_device" {
    for_each = toset(var.names)
    content {
      device_name = "/dev/sd${ebs_block_device.value}"
      volume_size = 8
    }
  }

  lifecycle {
    ignore_changes = [tags["Name"], user_data]
  }
}

resource "aws_s3_bucket" "b" {
  for_each = { for i, n in var.names : n => i }
  bucket   = "b-${each.key}-${each.value}"
}

module "net" {
  source = "./modules/net"
  cidr   = local.cidr
}
