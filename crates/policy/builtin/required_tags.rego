# Resources that miss a tag (AWS) or label (Google Cloud) every resource must carry, as listed
# in the config's [policies] required_tags.
package driftd.builtin.required_tags

import rego.v1

__rego_metadata__ := {
	"id": "required-tags",
	"title": "Resource without a required tag or label",
	"tier": "info",
	"remediation": "Add the missing tags (labels on Google Cloud) in the code; a provider's default_tags block sets them on every resource of the module.",
}

tag_key := "tags" if input.provider == "aws"

tag_key := "labels" if input.provider == "google"

deny contains {"msg": sprintf("tag %v is missing", [key]), "path": tag_key} if {
	some key in data.driftd.settings.required_tags
	tags := input.attributes[tag_key]
	is_object(tags)
	not tags[key]
}

deny contains {"msg": sprintf("tag %v is missing (the resource has no tags)", [key]), "path": tag_key} if {
	some key in data.driftd.settings.required_tags
	tag_key in object.keys(input.attributes)
	input.attributes[tag_key] == null
}
