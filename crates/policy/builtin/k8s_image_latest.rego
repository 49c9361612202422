# An image tagged `latest` (or not tagged at all, which means latest) changes under the
# workload at its next restart: two replicas can run different code.
package driftd.builtin.k8s_image_latest

import data.driftd.builtin.k8s_pods
import rego.v1

__rego_metadata__ := {
	"id": "k8s-image-latest",
	"title": "Container image tagged latest or not tagged",
	"tier": "warning",
	"types": k8s_pods.types,
	"remediation": "Name a version tag, or better a digest (image@sha256:...), and let a tool such as Renovate raise it.",
}

# The tag of an image reference: what follows the last `:` of its last path segment (a `:`
# before a `/` is a registry's port).
tag(image) := t if {
	segments := split(image, "/")
	last := segments[count(segments) - 1]
	contains(last, ":")
	parts := split(last, ":")
	t := parts[count(parts) - 1]
}

deny contains {"msg": msg, "path": sprintf("pod_spec.%v[%v].image", [list, k8s_pods.name(c)])} if {
	some [list, c] in k8s_pods.containers
	image := c.image
	is_string(image)
	not contains(image, "@")
	msg := unpinned(k8s_pods.name(c), image)
}

unpinned(name, image) := sprintf("container %v runs %v, tagged latest", [name, image]) if {
	tag(image) == "latest"
}

unpinned(name, image) := sprintf("container %v runs %v, which has no tag (latest)", [name, image]) if {
	not tag(image)
}
