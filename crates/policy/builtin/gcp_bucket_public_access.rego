# A Cloud Storage bucket whose public access prevention is not enforced.
package driftd.builtin.gcp_bucket_public_access

import rego.v1

__rego_metadata__ := {
	"id": "gcp-bucket-public-access",
	"title": "Cloud Storage bucket without public access prevention",
	"tier": "warning",
	"types": ["google_storage_bucket"],
	"remediation": "Set public_access_prevention = \"enforced\" (or enforce it for the organisation with the storage.publicAccessPrevention constraint).",
}

deny contains {"msg": sprintf("public access prevention is %v", [v]), "path": "public_access_prevention"} if {
	v := object.get(input.attributes, "public_access_prevention", "inherited")
	v != "enforced"
}
