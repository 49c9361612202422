# A small Google Cloud project: a custom network and subnetwork, an SSH firewall rule for
# Identity-Aware Proxy, a data disk, one web instance and a log bucket. The driftd tests build
# exactly this in the Compute Engine and Cloud Storage emulators (driftd-testkit's gcp::seed),
# and the demo scans it with this code beside its state.

terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.0"
    }
  }
}

variable "project" {
  type    = string
  default = "driftd-test"
}

variable "zone" {
  type    = string
  default = "us-central1-a"
}

variable "machine_type" {
  type    = string
  default = "e2-small"
}

provider "google" {
  project = var.project
  region  = "us-central1"
  zone    = var.zone
}

resource "google_compute_network" "main" {
  name                    = "main"
  auto_create_subnetworks = false
  routing_mode            = "GLOBAL"
  mtu                     = 1460
}

resource "google_compute_subnetwork" "app" {
  name                     = "app"
  region                   = "us-central1"
  network                  = google_compute_network.main.id
  ip_cidr_range            = "10.10.0.0/24"
  private_ip_google_access = true
}

# SSH through Identity-Aware Proxy only.
resource "google_compute_firewall" "ssh" {
  name      = "allow-ssh"
  network   = google_compute_network.main.name
  direction = "INGRESS"
  priority  = 900

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  source_ranges = ["35.235.240.0/20"]
  target_tags   = ["ssh"]
}

resource "google_compute_disk" "data" {
  name   = "data"
  zone   = var.zone
  size   = 20
  type   = "pd-ssd"
  labels = { team = "db" }
}

resource "google_compute_instance" "web" {
  name                = "web-1"
  zone                = var.zone
  machine_type        = var.machine_type
  tags                = ["ssh", "web"]
  labels              = { env = "prod" }
  deletion_protection = true

  metadata = {
    enable-oslogin = "TRUE"
  }

  boot_disk {
    initialize_params {
      # A family: the provider resolves it to its newest image when the disk is made.
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    network    = "main"
    subnetwork = "app"
    network_ip = "10.10.0.5"
  }

  service_account {
    email  = "web@driftd-test.iam.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
}

resource "google_storage_bucket" "logs" {
  name                        = "driftd-test-logs"
  location                    = "eu"
  storage_class               = "NEARLINE"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = { env = "prod" }

  versioning {
    enabled = true
  }
}
