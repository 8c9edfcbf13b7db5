# Secret inputs. The app passes each as a TF_VAR_<name> environment variable, never in a file
# (DESIGN §4), and all are sensitive so plans and logs redact them. The ones a Sovereign can do
# without default to "". Shapes are checked only where a bad value would break a shell line in
# cloud-init.

variable "hcloud_token" {
  type        = string
  sensitive   = true
  description = "Hetzner Cloud API token (read/write) of the customer's project."
  validation {
    condition     = can(regex("^[A-Za-z0-9]{64}$", var.hcloud_token))
    error_message = "hcloud_token must be a 64-character Hetzner Cloud API token."
  }
}

variable "kubeconfig_bearer_token" {
  type        = string
  sensitive   = true
  default     = ""
  description = "Single-use bearer cloud-init presents when it PUTs the kubeconfig back. Empty skips the postback (hand-run applies)."
  validation {
    condition     = can(regex("^[A-Za-z0-9._~+/=-]*$", var.kubeconfig_bearer_token))
    error_message = "kubeconfig_bearer_token may contain only token characters (it is used in a shell header)."
  }
}

variable "ghcr_pull_token" {
  type        = string
  sensitive   = true
  default     = ""
  description = "GHCR pull token for the private bp-* OCI artifacts; becomes flux-system/ghcr-pull. Empty in BYO mode."
}

variable "harbor_robot_token" {
  type        = string
  sensitive   = true
  description = "Token of the harbor.openova.io proxy-cache robot. Every image pull goes through Harbor; falling through to docker.io is not allowed (seed, issue #557)."
  validation {
    condition     = var.harbor_robot_token != ""
    error_message = "harbor_robot_token is required: every Sovereign image pull must go through harbor.openova.io."
  }
}

variable "powerdns_api_key" {
  type        = string
  sensitive   = true
  default     = ""
  description = "PowerDNS API key for cert-manager DNS-01; becomes cert-manager/powerdns-api-credentials."
}

variable "object_storage_secret_key" {
  type        = string
  sensitive   = true
  default     = ""
  description = "Object Storage secret key; becomes flux-system/object-storage together with the other object_storage_* inputs."
}
