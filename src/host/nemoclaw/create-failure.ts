/**
 * NemoClaw's sandbox-create failure classifier (`classifySandboxCreateFailure` in NemoClaw's
 * src/lib/validation.ts), reproduced check for check and in the same order, with the recovery
 * hints NemoClaw prints for each kind and the arm64 image-reference workaround (NemoClaw #3266).
 */

import { stripAnsi } from "../output.js";
import { imageRefWorkaroundDisplay, type WorkaroundTarget } from "./image-ref-workaround.js";

export type SandboxCreateFailureKind =
  | "image_transfer_timeout"
  | "image_transfer_reset"
  | "tls_cert_mismatch"
  | "image_upload_container_missing"
  | "gpu_cdi_injection_failed"
  | "plugin_install_network_denied"
  | "sandbox_create_incomplete"
  | "unknown";

export interface SandboxCreateFailure {
  kind: SandboxCreateFailureKind;
  /** The image reached the gateway before the failure (NemoClaw's `uploadedToGateway`). */
  uploadedToGateway: boolean;
}

const NETWORK_ERROR =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ESOCKETTIMEDOUT|network request.*failed|getaddrinfo|fetch failed|socket hang up|network timeout/i;

function hasCdiInjectionFailure(lines: string[]): boolean {
  return lines.some(
    (line) => /CDI device injection failed|unresolvable CDI devices?/i.test(line) && /nvidia\.com\/gpu/i.test(line),
  );
}

/** `openclaw plugins install` failed in the image build, and npm could not reach the registry for that same package. */
function hasPluginInstallNetworkDenial(text: string, lines: string[]): boolean {
  const installFailure = /The command '[^']*openclaw plugins install[^']*' returned a non-zero code/i.exec(text);
  if (!installFailure) return false;
  const packages = [...installFailure[0].matchAll(/@openclaw\/([a-z0-9._-]+)/gi)].map((match) => (match[1] ?? "").toLowerCase());
  const npmErrors = lines.filter((line) => /npm error/i.test(line));
  if (!npmErrors.some((line) => NETWORK_ERROR.test(line))) return false;
  return npmErrors.some((line) => {
    const lower = line.toLowerCase();
    return packages.some((pkg) => lower.includes(`@openclaw/${pkg}`) || lower.includes(`@openclaw%2f${pkg}`));
  });
}

export function classifySandboxCreateFailure(output: string): SandboxCreateFailure {
  const text = stripAnsi(output);
  const lines = text.split(/\r?\n/);
  const uploadedToGateway = /\[progress\]\s+Uploaded to gateway/i.test(text) || /Image .*available in the gateway/i.test(text);
  const result = (kind: SandboxCreateFailureKind): SandboxCreateFailure => ({ kind, uploadedToGateway });

  if (/failed to read image export stream|Timeout error/i.test(text)) return result("image_transfer_timeout");
  if (/Connection reset by peer/i.test(text)) return result("image_transfer_reset");
  if (/invalid peer certificate|BadSignature|handshake verification failed|certificate verify failed|SSL certificate problem|x509: certificate|unknown authority/i.test(text)) {
    return result("tls_cert_mismatch");
  }
  if (
    /failed to upload image tar into container/i.test(text) ||
    (/status code 404/i.test(text) && /(container does not exist|no container with name or ID)/i.test(text) && /openshell-cluster-nemoclaw/i.test(text))
  ) {
    return result("image_upload_container_missing");
  }
  if (hasCdiInjectionFailure(lines)) return result("gpu_cdi_injection_failed");
  if (hasPluginInstallNetworkDenial(text, lines)) return result("plugin_install_network_denied");
  if (/Created sandbox:/i.test(text)) return { kind: "sandbox_create_incomplete", uploadedToGateway: true };
  return result("unknown");
}

/** Failures NemoClaw treats as transient image-transfer problems: the create may simply be retried. */
export function isTransientCreateFailure(kind: SandboxCreateFailureKind): boolean {
  return kind === "image_transfer_timeout" || kind === "image_transfer_reset";
}

/** The recovery hint NemoClaw prints for a kind (`printSandboxCreateRecoveryHints`). */
export function sandboxCreateHint(kind: SandboxCreateFailureKind, gateway: string): string | null {
  switch (kind) {
    case "image_transfer_timeout":
    case "image_transfer_reset":
      return "The image transfer to the gateway was interrupted; run `nemoclaw onboard --resume` (or re-run apply) to continue.";
    case "sandbox_create_incomplete":
      return "The sandbox was created but did not become ready; run `nemoclaw onboard --resume` (or re-run apply) to continue.";
    case "tls_cert_mismatch":
      return `The gateway's TLS certificate is not trusted: run \`openshell gateway trust -g ${gateway}\`, then \`nemoclaw onboard --resume\`.`;
    case "gpu_cdi_injection_failed":
      return "GPU (CDI) injection failed: set `gpu: off` for this sandbox (NemoClaw: `nemoclaw onboard --no-gpu` / NEMOCLAW_SANDBOX_GPU=0), or fix the NVIDIA container toolkit's CDI specs.";
    case "plugin_install_network_denied":
      return "An OpenClaw plugin could not be installed because the image build had no network access to the npm registry; allow it, then re-run apply.";
    case "image_upload_container_missing":
      return "The gateway is healthy, but OpenShell's large image-tar upload failed (status code 404).";
    case "unknown":
      return null;
  }
}

/** The image the failed create built (`Successfully tagged <ref>` or `Built image <ref>`). */
export function builtImageRef(output: string): string | null {
  const text = stripAnsi(output);
  const match = /^\s*Successfully tagged\s+(\S+)/m.exec(text) ?? /^\s*Built image\s+(\S+)/m.exec(text);
  return match?.[1] ?? null;
}

/** The workaround printed as exact commands, for when the fleet file does not allow carrying it out. */
export function imageRefWorkaroundText(imageRef: string | null, target: WorkaroundTarget): string {
  const commands = imageRefWorkaroundDisplay(imageRef ?? "<built-image>", target);
  return [
    "On Linux arm64 (DGX Spark) create the sandbox from an image reference instead of the tar upload:",
    ...commands.map((command, index) => `  ${index + 1}. ${command}`),
    `  ${commands.length + 1}. nemoclaw onboard --non-interactive --resume   (with the same environment as the failed create)`,
    "Set `imageRefWorkaround: true` on the sandbox to let apply carry this out.",
  ].join("\n");
}
