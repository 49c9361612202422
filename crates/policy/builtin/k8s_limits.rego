# A container without a memory limit can take a node's memory from every other pod on it.
# (CPU limits are not required: many teams leave them out on purpose, since they throttle.)
package driftd.builtin.k8s_limits

import data.driftd.builtin.k8s_pods
import rego.v1

__rego_metadata__ := {
	"id": "k8s-no-limits",
	"title": "Container without resource limits",
	"tier": "info",
	"types": k8s_pods.types,
	"remediation": "Set resources.limits.memory (and requests) on every container, or give the namespace a LimitRange with defaults.",
}

limits(c) := l if {
	resources := c.resources
	is_object(resources)
	l := resources.limits
	is_object(l)
}

deny contains {"msg": sprintf("container %v has no resource limits", [k8s_pods.name(c)]), "path": sprintf("pod_spec.%v[%v].resources.limits", [list, k8s_pods.name(c)])} if {
	some [list, c] in k8s_pods.containers
	list != "ephemeralContainers"
	not limits(c)
}

deny contains {"msg": sprintf("container %v has no memory limit", [k8s_pods.name(c)]), "path": sprintf("pod_spec.%v[%v].resources.limits.memory", [list, k8s_pods.name(c)])} if {
	some [list, c] in k8s_pods.containers
	list != "ephemeralContainers"
	l := limits(c)
	not l.memory
}
