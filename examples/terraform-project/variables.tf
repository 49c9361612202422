variable "project" {
  type    = string
  default = "acme"
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "vpc_cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "ami" {
  type    = string
  default = "ami-0123456789abcdef0"
}

variable "instance_type" {
  type    = string
  default = "t3.micro"
}

variable "web_count" {
  type    = number
  default = 1
}

variable "web_ports" {
  type    = list(number)
  default = [80, 443]
}

variable "volumes" {
  description = "Data volumes: name => size in GiB"
  type        = map(number)
  default = {
    logs = 20
  }
}
