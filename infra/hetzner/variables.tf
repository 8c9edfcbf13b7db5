# Inputs of the Sovereign module. The names are a contract with the app:
# src/Domain/Tofu/TofuContract.cs lists them, and tests/Infra.Tests checks both sides agree.
#
# Non-secret inputs arrive in tofu.auto.tfvars.json, written by the app.
# Secret inputs arrive only as TF_VAR_<name> environment variables (see variables_secret.tf).
# Validation mirrors the app's request validation (reference B.4) so a hand-run apply fails
# the same way, before anything is created at Hetzner.

variable "sovereign_fqdn" {
  type        = string
  description = "Public FQDN of the Sovereign, e.g. acme.omani.works. Console is https://console.<fqdn>."
  validation {
    condition     = length(var.sovereign_fqdn) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.sovereign_fqdn))
    error_message = "sovereign_fqdn must be a lower-case fully qualified domain name, e.g. acme.omani.works."
  }
}

variable "sovereign_subdomain" {
  type        = string
  default     = ""
  description = "Pool mode only: the subdomain reserved in the pool domain. Empty in BYO modes."
  validation {
    condition     = var.sovereign_subdomain == "" || can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.sovereign_subdomain))
    error_message = "sovereign_subdomain must be empty or one DNS label (a-z, 0-9, '-')."
  }
}

variable "org_name" {
  type        = string
  description = "Organisation that owns the Sovereign."
  validation {
    condition     = trimspace(var.org_name) != ""
    error_message = "org_name is required."
  }
}

variable "org_email" {
  type        = string
  description = "Organisation contact; becomes the initial sovereign-admin."
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.org_email))
    error_message = "org_email must look like an e-mail address."
  }
}

variable "hcloud_project_id" {
  type        = string
  description = "Hetzner Cloud project the token belongs to (recorded by the app; the API token selects the project)."
  validation {
    condition     = trimspace(var.hcloud_project_id) != ""
    error_message = "hcloud_project_id is required."
  }
}

variable "region" {
  type        = string
  description = "Hetzner location for every server and the load balancer: fsn1, nbg1, hel1, ash, hil or sin."
  validation {
    condition     = contains(["fsn1", "nbg1", "hel1", "ash", "hil", "sin"], var.region)
    error_message = "region must be one of fsn1, nbg1, hel1, ash, hil, sin."
  }
}

variable "control_plane_size" {
  type        = string
  description = "Hetzner server type of the control-plane nodes, e.g. cx23, cpx32, ccx13 or cax21 (Arm, EU locations only)."
  validation {
    condition     = can(regex("^c[a-z]{1,3}[0-9]{2,3}$", var.control_plane_size))
    error_message = "control_plane_size must be a Hetzner server type such as cx23, cpx32 or ccx13."
  }
  # CX Gen2 and CPX Gen1 were removed at the end of 2025 (issue 22). nodes.tf asks the API at
  # plan as well; this list refuses them even before the provider is reached.
  validation {
    condition     = !contains(["cx11", "cx21", "cx22", "cx31", "cx32", "cx41", "cx42", "cx51", "cx52", "cpx11", "cpx21", "cpx31", "cpx41", "cpx51"], var.control_plane_size)
    error_message = "control_plane_size names a server type Hetzner has removed; use a current one such as cx23, cpx32 or ccx13."
  }
}

variable "worker_size" {
  type        = string
  description = "Hetzner server type of the workers. May be empty when worker_count is 0."
  validation {
    condition     = var.worker_size == "" || can(regex("^c[a-z]{1,3}[0-9]{2,3}$", var.worker_size))
    error_message = "worker_size must be empty or a Hetzner server type such as cx23, cpx32 or ccx13."
  }
  validation {
    condition     = !contains(["cx11", "cx21", "cx22", "cx31", "cx32", "cx41", "cx42", "cx51", "cx52", "cpx11", "cpx21", "cpx31", "cpx41", "cpx51"], var.worker_size)
    error_message = "worker_size names a server type Hetzner has removed; use a current one such as cx23, cpx32 or ccx13."
  }
}

variable "worker_count" {
  type        = number
  description = "Number of worker nodes (0 runs workloads on the control plane)."
  validation {
    condition     = var.worker_count >= 0 && var.worker_count <= 50 && floor(var.worker_count) == var.worker_count
    error_message = "worker_count must be a whole number from 0 to 50."
  }
}

variable "ha_enabled" {
  type        = bool
  default     = false
  description = "Three control-plane nodes (embedded etcd) instead of one."
}

variable "regions" {
  type = list(object({
    provider         = string
    cloudRegion      = string
    controlPlaneSize = string
    workerSize       = string
    workerCount      = number
  }))
  default     = []
  description = "The wizard's per-region list. Only regions[0] is wired end to end; the app mirrors it into the singular variables."
  validation {
    condition     = alltrue([for r in var.regions : r.workerCount >= 0])
    error_message = "regions[*].workerCount must be non-negative."
  }
}

variable "ssh_public_key" {
  type        = string
  description = "Break-glass SSH public key of the sovereign-admin (OpenSSH format)."
  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-[a-z0-9-]+) [A-Za-z0-9+/]+={0,3}( [^\\n]*)?$", trimspace(var.ssh_public_key)))
    error_message = "ssh_public_key must be an OpenSSH public key starting with ssh-ed25519, ssh-rsa or ecdsa-."
  }
}

variable "domain_mode" {
  type        = string
  description = "How the Sovereign's domain is managed: pool, byo, byo-api or byo-manual. The module writes no DNS either way."
  validation {
    condition     = contains(["pool", "byo", "byo-api", "byo-manual"], var.domain_mode)
    error_message = "domain_mode must be pool, byo, byo-api or byo-manual."
  }
}

variable "pool_domain" {
  type        = string
  default     = ""
  description = "Pool mode only: the managed parent domain, e.g. omani.works."
  validation {
    condition     = var.pool_domain == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.pool_domain))
    error_message = "pool_domain must be empty or a lower-case domain name."
  }
}

variable "gitops_repo_url" {
  type        = string
  description = "HTTPS URL of the GitOps repository Flux follows (it holds clusters/_template)."
  validation {
    condition     = can(regex("^https://[^\\s'\"]+$", var.gitops_repo_url))
    error_message = "gitops_repo_url must be an https:// URL."
  }
}

variable "gitops_branch" {
  type        = string
  default     = "main"
  description = "Branch of the GitOps repository Flux follows."
  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.gitops_branch))
    error_message = "gitops_branch must be a plain branch name."
  }
}

variable "deployment_id" {
  type        = string
  description = "Catalyst deployment id (16 lower-case hex). Every Hetzner object is labelled with it."
  validation {
    condition     = can(regex("^[0-9a-f]{16}$", var.deployment_id))
    error_message = "deployment_id must be 16 lower-case hex characters."
  }
}

variable "catalyst_api_url" {
  type        = string
  description = "Public base URL of catalyst-api (CATALYST_API_PUBLIC_URL), without a trailing slash; cloud-init PUTs the kubeconfig under it."
  validation {
    condition     = can(regex("^https?://[^\\s/'\"]+(/[^\\s'\"]*)?$", var.catalyst_api_url)) && !endswith(var.catalyst_api_url, "/")
    error_message = "catalyst_api_url must be an http(s) URL without a trailing slash."
  }
}

variable "object_storage_region" {
  type        = string
  default     = ""
  description = "Hetzner Object Storage region (fsn1, nbg1 or hel1), or empty when the Sovereign gets no bucket."
  validation {
    condition     = contains(["", "fsn1", "nbg1", "hel1"], var.object_storage_region)
    error_message = "object_storage_region must be empty, fsn1, nbg1 or hel1."
  }
}

variable "object_storage_access_key" {
  type        = string
  default     = ""
  description = "Object Storage access key id (the secret half is object_storage_secret_key)."
}

variable "object_storage_bucket" {
  type        = string
  default     = ""
  description = "Object Storage bucket name (S3 rules), or empty."
  validation {
    condition     = var.object_storage_bucket == "" || can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.object_storage_bucket))
    error_message = "object_storage_bucket must be 3-63 lower-case letters, digits or '-', starting and ending alphanumeric."
  }
}

variable "handover_jwt_public_key" {
  type        = string
  default     = ""
  description = "Public RSA JWK (JSON) that verifies handover JWTs; stored on the Sovereign as catalyst-system/catalyst-handover-jwt-public. Public, not secret."
  validation {
    condition     = var.handover_jwt_public_key == "" || try(jsondecode(var.handover_jwt_public_key).kty == "RSA", false)
    error_message = "handover_jwt_public_key must be empty or an RSA JWK in JSON form."
  }
}

variable "k3s_version" {
  type        = string
  default     = "v1.31.4+k3s1"
  description = "Pinned k3s release installed on every node."
  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+\\+k3s[0-9]+$", var.k3s_version))
    error_message = "k3s_version must look like v1.31.4+k3s1."
  }
}

variable "flux_version" {
  type        = string
  default     = "v2.4.0"
  description = "Pinned Flux release. Must match the flux2 version bp-flux bundles, or bp-flux's first upgrade breaks Flux."
  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+$", var.flux_version))
    error_message = "flux_version must look like v2.4.0."
  }
}

variable "ssh_allowed_cidrs" {
  type        = list(string)
  default     = []
  description = "Sources allowed to reach SSH on the nodes: CIDR blocks, or bare addresses taken as /32 (IPv6: /128). Empty keeps SSH closed at the firewall."
  # The provider refuses a block with host bits set (203.0.113.7/24) at plan and takes a bare
  # address as /32 (internal/firewall/validation.go); the module agrees with it, and so does the
  # app (DeploymentValidator.SshSourceProblem). The address must be written as the provider
  # writes it back (lower case, shortest IPv6 form), so state never differs from the input.
  validation {
    condition     = alltrue([for c in var.ssh_allowed_cidrs : try(cidrhost(strcontains(c, "/") ? c : (strcontains(c, ":") ? "${c}/128" : "${c}/32"), 0) == split("/", c)[0], false)])
    error_message = "ssh_allowed_cidrs must hold addresses or CIDR blocks without host bits, such as 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32."
  }
}
