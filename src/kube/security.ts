// What every container and pod of a run may do: nothing beyond serving. Each meets the "restricted" Pod
// Security Standard (no privilege escalation, no capabilities, not root, the runtime's seccomp profile), none
// asks for the host's network, PID or IPC namespaces, and none gets an API token (nothing here talks to the API).
import type { ISecurityContext, IPodSpec } from 'kubernetes-models/v1';

/**
 * The non-root user each image runs as. runAsNonRoot can only be checked against a numeric user, and the
 * PostgreSQL and Redis images start as root to drop to their own user: given it, they start as it directly.
 * Ours is the node image's `node` user.
 */
export const IMAGE_USERS = { stackbench: 1000, postgres: 999, redis: 999, haproxy: 99 } as const;

export function hardened(uid: number = IMAGE_USERS.stackbench): ISecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The pod-level settings every pod of a run shares. */
export function podBasics(uid: number = IMAGE_USERS.stackbench): Partial<IPodSpec> {
  return {
    // Docker-link style variables for every Service in the namespace: noise in the environment, and a stack
    // that read PORT-like names could pick up another's.
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    terminationGracePeriodSeconds: 5,
    // fsGroup: the emptyDir volumes (PostgreSQL's data, Redis's dir) are writable by the image's user.
    securityContext: { runAsNonRoot: true, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
  };
}
