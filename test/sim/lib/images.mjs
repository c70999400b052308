// @ts-check
// Dockerfile builds as `openshell sandbox create --from <Dockerfile>` does them (bollard against
// the local daemon), recorded as images in the simulated Docker daemon.

import { readFileSync, statSync } from "node:fs";
import { randomHex, sha256 } from "./util.mjs";

/**
 * @typedef {import("./state.mjs").SimState} SimState
 */

/**
 * The Dockerfile's instructions, continuation lines joined, comments dropped.
 * @param {string} dockerfile
 */
function instructions(dockerfile) {
  const text = readFileSync(dockerfile, "utf8").replace(/\\\r?\n/g, " ");
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/**
 * Build a Dockerfile into the simulated daemon; returns the tag and the build log lines.
 * @param {SimState} state
 * @param {string} dockerfile
 * @param {string} tag
 */
export function buildImage(state, dockerfile, tag) {
  const steps = instructions(dockerfile);
  const imageId = sha256(`${dockerfile}:${tag}:${randomHex(8)}`);
  const lines = steps.map((step, index) => `Step ${index + 1}/${steps.length} : ${step.length > 60 ? `${step.slice(0, 57)}...` : step}`);
  lines.push(`Successfully built ${imageId.slice(0, 12)}`, `Successfully tagged ${tag}`);
  addImage(state, tag, `sha256:${imageId}`, `${Math.max(1, Math.round(statSync(dockerfile).size / 10))}MB`);
  return lines;
}

/**
 * @param {SimState} state
 * @param {string} reference repository[:tag]
 * @param {string} id
 * @param {string} size
 */
export function addImage(state, reference, id, size) {
  const [repository, tag] = splitReference(reference);
  state.docker.images = state.docker.images.filter((image) => !(image.repository === repository && image.tag === tag));
  state.docker.images.push({ id, repository, tag, createdAtMs: Date.now(), size });
}

/** @param {SimState} state @param {string} reference */
export function findImage(state, reference) {
  const [repository, tag] = splitReference(reference);
  return state.docker.images.find((image) => image.repository === repository && image.tag === tag) ?? null;
}

/**
 * `registry.example:5000/repo/name:tag` → [`registry.example:5000/repo/name`, `tag`].
 * @param {string} reference
 * @returns {[string, string]}
 */
export function splitReference(reference) {
  const lastSlash = reference.lastIndexOf("/");
  const colon = reference.lastIndexOf(":");
  if (colon > lastSlash) return [reference.slice(0, colon), reference.slice(colon + 1)];
  return [reference, "latest"];
}

/** Community sandbox names expand under the OpenShell community registry. @param {string} value */
export function resolveCommunityImage(value) {
  if (value.includes("/") || value.includes(":") || value.includes(".")) return value;
  return `ghcr.io/nvidia/openshell-community/sandboxes/${value}:latest`;
}
