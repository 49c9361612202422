variable "availability_zone" {
  type = string
}

variable "tags" {
  type = map(string)
}

resource "aws_ebs_volume" "data" {
  availability_zone = var.availability_zone
  size              = 20
  type              = "gp3"
  encrypted         = false
  tags              = merge(var.tags, { Name = "data" })
}
