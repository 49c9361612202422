"""A Kubernetes API emulator for driftd's tests: PyPI `kmock`'s stateful KubernetesEmulator on
127.0.0.1:PORT, with the kinds driftd's tests use declared for API discovery.

Usage: python kube_emulator.py PORT

kmock keeps objects in memory and serves create, get, list, merge-patch, delete and watch. It has
no real resourceVersion, ignores label selectors and paging, and never defaults fields: tests
write live objects the way the API server would return them. Declaring the kinds below (with
their real names, scopes and verbs) makes discovery answer as a cluster would, so a client can
look any of them up before the first object exists.
"""

import asyncio
import signal
import sys

import kmock

VERBS = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

# (group/version, plural, Kind, namespaced)
KINDS = [
    ("v1", "configmaps", "ConfigMap", True),
    ("v1", "secrets", "Secret", True),
    ("v1", "services", "Service", True),
    ("v1", "serviceaccounts", "ServiceAccount", True),
    ("v1", "persistentvolumeclaims", "PersistentVolumeClaim", True),
    ("v1", "pods", "Pod", True),
    ("v1", "namespaces", "Namespace", False),
    ("apps/v1", "deployments", "Deployment", True),
    ("apps/v1", "statefulsets", "StatefulSet", True),
    ("apps/v1", "daemonsets", "DaemonSet", True),
    ("apps/v1", "replicasets", "ReplicaSet", True),
    ("batch/v1", "cronjobs", "CronJob", True),
    ("batch/v1", "jobs", "Job", True),
    ("networking.k8s.io/v1", "ingresses", "Ingress", True),
    ("autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True),
    ("rbac.authorization.k8s.io/v1", "roles", "Role", True),
    ("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", True),
    ("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", False),
    ("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", False),
    # A custom resource, as if its CRD were installed.
    ("example.com/v1", "widgets", "Widget", True),
]


async def main(port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with kmock.KubernetesEmulator() as emulator:
        for gv, plural, kind, namespaced in KINDS:
            emulator.resources[f"{gv}/{plural}"] = kmock.ResourceInfo(
                kind=kind, namespaced=namespaced, verbs=VERBS,
                singular=kind.lower(),
            )
        async with kmock.Server(emulator, host="127.0.0.1", port=port):
            print(f"kube emulator listening on 127.0.0.1:{port}", flush=True)
            await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
