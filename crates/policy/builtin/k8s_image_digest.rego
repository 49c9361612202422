# A tag can be pushed again; only a digest names one image for good.
package driftd.builtin.k8s_image_digest

import data.driftd.builtin.k8s_pods
import rego.v1

__rego_metadata__ := {
	"id": "k8s-image-digest",
	"title": "Container image not pinned by digest",
	"tier": "info",
	"types": k8s_pods.types,
	"remediation": "Reference the image by digest (name:tag@sha256:...); the tag may stay beside it for readers.",
}

deny contains {"msg": sprintf("container %v runs %v, which no digest pins", [k8s_pods.name(c), image]), "path": sprintf("pod_spec.%v[%v].image", [list, k8s_pods.name(c)])} if {
	some [list, c] in k8s_pods.containers
	image := c.image
	is_string(image)
	not contains(image, "@sha256:")
}
