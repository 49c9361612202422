# What the Kubernetes rules read: the pod spec the provider keeps on every workload object
# (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController),
# managed or not, as `attributes.pod_spec`. Shapes are checked: a rule never fails on an odd
# value, it finds nothing in it.
package driftd.builtin.k8s_pods

import rego.v1

# The resource types that run pods.
types := [
	"Pod", "ReplicationController", "Deployment.apps", "ReplicaSet.apps", "StatefulSet.apps",
	"DaemonSet.apps", "Job.batch", "CronJob.batch",
]

items(v) := v if is_array(v)

spec := s if {
	input.provider == "kubernetes"
	s := input.attributes.pod_spec
	is_object(s)
}

# [list, container] for every container of the pod, init and ephemeral ones included.
containers contains [list, c] if {
	some list in ["containers", "initContainers", "ephemeralContainers"]
	some c in items(object.get(spec, list, []))
	is_object(c)
}

# A container's name, for messages and paths.
name(c) := n if {
	n := c.name
	is_string(n)
} else := "?"
