environment = "prod"
web_count   = 2
volumes = {
  data = 100
  logs = 50
}
