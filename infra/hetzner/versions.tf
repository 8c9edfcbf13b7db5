# Tool and provider pins for the Sovereign module.
#
# Providers are pinned to exact versions: a retried apply (Durable delivers activities at least
# once) must plan against the same provider schema as the first attempt. Bump them on purpose,
# in a commit of their own.
#
# The http backend is left empty on purpose: the app configures it through TF_HTTP_*
# environment variables (its own state endpoint, per-deployment credentials, lock_method=POST,
# unlock_method=DELETE; DESIGN §5), never -backend-config, whose values tofu saves in plain
# text under .terraform/. State encryption is configured by the app through the
# TF_ENCRYPTION environment variable, so there is no `encryption` block here either.
# No credentials live in any file of this module.

terraform {
  required_version = ">= 1.8.0"

  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = "1.52.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.7.2"
    }
  }

  backend "http" {}
}
