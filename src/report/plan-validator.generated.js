// @ts-nocheck
/* eslint-disable */
// Generated from schemas/plan.schema.json by scripts/gen-validator.mjs (npm run gen:types).
// Do not edit by hand: change the schema and regenerate.
// ajv's standalone code loads its runtime helpers and formats with require(), even as an ES module.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://nemoclaw.dev/schemas/plan.schema.json","title":"Plan","description":"A nemoclaw fleet plan (`nemoclaw plan --json` / `-o plan.json`): per host, the ordered steps that would bring it to the fleet file, why, how risky, how certain, the exact command lines (secrets only as references) and fingerprints of the observed facts they depend on. `nemoclaw apply plan.json` executes exactly these steps after re-checking the fingerprints.","type":"object","additionalProperties":false,"required":["formatVersion","kind","createdAt","toolVersion","fleet","selection","options","hosts","summary"],"properties":{"formatVersion":{"const":1,"description":"Plan format version; readers refuse other versions."},"kind":{"const":"nemoclaw-fleet-plan"},"createdAt":{"type":"string","format":"date-time"},"toolVersion":{"type":"string","minLength":1},"fleet":{"type":"object","additionalProperties":false,"required":["name","file","digest"],"properties":{"name":{"type":"string"},"file":{"type":"string","description":"The fleet file the plan was made from."},"digest":{"type":"string","description":"SHA-256 of the fleet file and inventories as read."}}},"selection":{"type":"object","additionalProperties":false,"required":["limit","hosts"],"description":"The hosts this plan was made for; applying it can never widen it.","properties":{"limit":{"type":["string","null"]},"hosts":{"type":"array","items":{"type":"string","minLength":1},"uniqueItems":true}}},"options":{"type":"object","additionalProperties":false,"required":["pruneUnmanaged"],"properties":{"pruneUnmanaged":{"type":"boolean"},"replace":{"description":"Sandboxes recreated on request (--replace), as <sandbox>@<host>.","type":"array","items":{"type":"string","pattern":"^.+@.+$"}},"targets":{"description":"The sandboxes the plan was narrowed to (--target), as <sandbox>@<host>; null when it was not narrowed.","type":["array","null"],"items":{"type":"string","pattern":"^.+@.+$"}},"maxRisk":{"description":"The risk ceiling the plan was made with (--max-risk): steps above it are held back (hosts[].heldBack).","$ref":"#/definitions/risk"}}},"hosts":{"type":"array","items":{"$ref":"#/definitions/hostPlan"}},"summary":{"$ref":"#/definitions/summary"},"planDigest":{"type":"string","pattern":"^sha256:[0-9a-f]{64}$","description":"Written by `nemoclaw plan -o`: sha256 of the plan's canonical JSON (every other field, object keys sorted). `nemoclaw apply plan.json` refuses a file without it or whose content no longer matches it."}},"definitions":{"risk":{"enum":["safe","disruptive","destructive"]},"fidelity":{"enum":["exact","predicted"],"description":"exact: fully determined by observed facts; predicted: depends on the outcome of an earlier step."},"stepKind":{"enum":["preflight","backup","restore","nemoclaw-install","release-verify","openshell-install","gateway-retire","gateway-start","gateway-recover","sandbox-create","sandbox-stale-recover","lock-clear","sandbox-recover","sandbox-rebuild","sandbox-recreate","sandbox-gateway-restart","policy-add","policy-remove","inference-set","shields","sandbox-delete"]},"secretRef":{"oneOf":[{"type":"object","additionalProperties":false,"required":["kind","name"],"properties":{"kind":{"const":"env"},"name":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$"}}},{"type":"object","additionalProperties":false,"required":["kind","path"],"properties":{"kind":{"const":"file"},"path":{"type":"string","minLength":1}}}]},"target":{"type":"object","additionalProperties":false,"required":["kind","name"],"properties":{"kind":{"enum":["host","gateway","sandbox"]},"name":{"type":"string","minLength":1},"gateway":{"type":"string"}}},"reason":{"type":"object","additionalProperties":false,"required":["summary"],"properties":{"summary":{"type":"string","minLength":1},"desired":{"type":"object","additionalProperties":false,"required":["field","value"],"properties":{"field":{"type":"string"},"value":{},"source":{"type":"string"}}},"observed":{"type":"object","additionalProperties":false,"required":["fact","value"],"properties":{"fact":{"type":"string"},"value":{}}}}},"envValue":{"oneOf":[{"type":"object","additionalProperties":false,"required":["value"],"properties":{"value":{"type":"string"}}},{"type":"object","additionalProperties":false,"required":["secret"],"properties":{"secret":{"$ref":"#/definitions/secretRef"}}}]},"command":{"type":"object","additionalProperties":false,"required":["argv","display"],"properties":{"argv":{"type":"array","minItems":1,"items":{"type":"string"}},"env":{"type":"object","propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$"},"additionalProperties":{"$ref":"#/definitions/envValue"}},"display":{"type":"string","minLength":1,"description":"Shell rendering of argv and env; secrets appear as <secret env:NAME> or <secret file:PATH>. Derived from argv and env: `nemoclaw apply plan.json` renders it again from them and never shows or journals the stored text."},"okExitCodes":{"type":"array","items":{"type":"integer"}}}},"textDiff":{"type":"object","additionalProperties":false,"required":["label","before","after"],"properties":{"label":{"type":"string"},"before":{"type":"string"},"after":{"type":"string"}}},"step":{"type":"object","additionalProperties":false,"required":["id","kind","target","reason","risk","fidelity","dependsOn","facts","commands"],"properties":{"id":{"type":"string","pattern":"^[a-z-]+:[^\\s]+$","description":"<kind>:<target>[@<qualifier>], unique within the host."},"kind":{"$ref":"#/definitions/stepKind"},"target":{"$ref":"#/definitions/target"},"reason":{"$ref":"#/definitions/reason"},"risk":{"$ref":"#/definitions/risk"},"fidelity":{"$ref":"#/definitions/fidelity"},"dependsOn":{"type":"array","items":{"type":"string"},"uniqueItems":true},"facts":{"type":"array","items":{"type":"string"},"uniqueItems":true},"commands":{"type":"array","items":{"$ref":"#/definitions/command"}},"params":{"type":"object"},"diff":{"type":"array","items":{"$ref":"#/definitions/textDiff"}},"hint":{"type":"string"}}},"block":{"type":"object","additionalProperties":false,"required":["driver","installedVersion","runningVersion","gateway","lines"],"description":"The schema-preflight refusal, NemoClaw's exact text one line per entry.","properties":{"driver":{"enum":["cluster-container","host-process","unknown"]},"installedVersion":{"type":"string"},"runningVersion":{"type":["string","null"]},"runningImage":{"type":"string"},"runningBinary":{"type":"string"},"gateway":{"type":"string"},"lines":{"type":"array","items":{"type":"string"},"minItems":1}}},"note":{"type":"object","additionalProperties":false,"required":["level","message"],"properties":{"level":{"enum":["info","warning"]},"message":{"type":"string","minLength":1},"target":{"$ref":"#/definitions/target"},"fact":{"type":"string"},"excerpt":{"type":"string"}}},"hostPlan":{"type":"object","additionalProperties":false,"required":["host","status","steps","notes","fingerprints"],"properties":{"host":{"type":"string","minLength":1},"status":{"enum":["no-changes","changes","blocked","unreachable","unknown"]},"steps":{"type":"array","items":{"$ref":"#/definitions/step"}},"heldBack":{"description":"Steps --max-risk holds back (pending), in plan order; absent when none is.","type":"array","items":{"$ref":"#/definitions/heldBackStep"}},"block":{"$ref":"#/definitions/block"},"notes":{"type":"array","items":{"$ref":"#/definitions/note"}},"fingerprints":{"type":"object","description":"fact key → sha256 (hex) of its canonical JSON, for every fact a step depends on.","additionalProperties":{"type":"string","pattern":"^[0-9a-f]{64}$"}},"factValues":{"type":"object","description":"fact key → the value that was fingerprinted (canonical, volatile fields dropped), with strings shaped like secrets masked as <masked>: lets apply say field by field what changed on a stale host. Plans without it are explained by fact keys and current values only.","additionalProperties":true}}},"counts":{"type":"integer","minimum":0},"summary":{"type":"object","additionalProperties":false,"required":["hosts","hostsWithChanges","blocked","unreachable","unknown","steps","byRisk","byFidelity"],"properties":{"hosts":{"$ref":"#/definitions/counts"},"hostsWithChanges":{"$ref":"#/definitions/counts"},"blocked":{"$ref":"#/definitions/counts"},"unreachable":{"$ref":"#/definitions/counts"},"unknown":{"$ref":"#/definitions/counts"},"steps":{"$ref":"#/definitions/counts"},"byRisk":{"type":"object","additionalProperties":false,"required":["safe","disruptive","destructive"],"properties":{"safe":{"$ref":"#/definitions/counts"},"disruptive":{"$ref":"#/definitions/counts"},"destructive":{"$ref":"#/definitions/counts"}}},"byFidelity":{"type":"object","additionalProperties":false,"required":["exact","predicted"],"properties":{"exact":{"$ref":"#/definitions/counts"},"predicted":{"$ref":"#/definitions/counts"}}},"heldBack":{"description":"Steps held back by --max-risk; absent when none is.","$ref":"#/definitions/counts"}}},"heldBackStep":{"description":"A step a risk ceiling (--max-risk) keeps from running: still pending.","type":"object","additionalProperties":false,"required":["id","kind","risk","summary","because"],"properties":{"id":{"type":"string","minLength":1},"kind":{"$ref":"#/definitions/stepKind"},"risk":{"$ref":"#/definitions/risk"},"summary":{"description":"The planner's reason for the step.","type":"string"},"because":{"description":"Why it is held back: its risk is above the ceiling, it needs a step that is held back, or it is only needed by held-back steps.","type":"string"},"sandbox":{"description":"The sandbox the step is for, when it is for one.","type":"string"}}}}};
const schema12 = {"enum":["safe","disruptive","destructive"]};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("ajv/dist/runtime/ucs2length").default;
const formats0 = require("ajv-formats/dist/formats").fullFormats["date-time"];
const pattern0 = new RegExp("^.+@.+$", "u");
const pattern6 = new RegExp("^sha256:[0-9a-f]{64}$", "u");
const schema13 = {"type":"object","additionalProperties":false,"required":["host","status","steps","notes","fingerprints"],"properties":{"host":{"type":"string","minLength":1},"status":{"enum":["no-changes","changes","blocked","unreachable","unknown"]},"steps":{"type":"array","items":{"$ref":"#/definitions/step"}},"heldBack":{"description":"Steps --max-risk holds back (pending), in plan order; absent when none is.","type":"array","items":{"$ref":"#/definitions/heldBackStep"}},"block":{"$ref":"#/definitions/block"},"notes":{"type":"array","items":{"$ref":"#/definitions/note"}},"fingerprints":{"type":"object","description":"fact key → sha256 (hex) of its canonical JSON, for every fact a step depends on.","additionalProperties":{"type":"string","pattern":"^[0-9a-f]{64}$"}},"factValues":{"type":"object","description":"fact key → the value that was fingerprinted (canonical, volatile fields dropped), with strings shaped like secrets masked as <masked>: lets apply say field by field what changed on a stale host. Plans without it are explained by fact keys and current values only.","additionalProperties":true}}};
const schema27 = {"type":"object","additionalProperties":false,"required":["driver","installedVersion","runningVersion","gateway","lines"],"description":"The schema-preflight refusal, NemoClaw's exact text one line per entry.","properties":{"driver":{"enum":["cluster-container","host-process","unknown"]},"installedVersion":{"type":"string"},"runningVersion":{"type":["string","null"]},"runningImage":{"type":"string"},"runningBinary":{"type":"string"},"gateway":{"type":"string"},"lines":{"type":"array","items":{"type":"string"},"minItems":1}}};
const schema14 = {"type":"object","additionalProperties":false,"required":["id","kind","target","reason","risk","fidelity","dependsOn","facts","commands"],"properties":{"id":{"type":"string","pattern":"^[a-z-]+:[^\\s]+$","description":"<kind>:<target>[@<qualifier>], unique within the host."},"kind":{"$ref":"#/definitions/stepKind"},"target":{"$ref":"#/definitions/target"},"reason":{"$ref":"#/definitions/reason"},"risk":{"$ref":"#/definitions/risk"},"fidelity":{"$ref":"#/definitions/fidelity"},"dependsOn":{"type":"array","items":{"type":"string"},"uniqueItems":true},"facts":{"type":"array","items":{"type":"string"},"uniqueItems":true},"commands":{"type":"array","items":{"$ref":"#/definitions/command"}},"params":{"type":"object"},"diff":{"type":"array","items":{"$ref":"#/definitions/textDiff"}},"hint":{"type":"string"}}};
const schema15 = {"enum":["preflight","backup","restore","nemoclaw-install","release-verify","openshell-install","gateway-retire","gateway-start","gateway-recover","sandbox-create","sandbox-stale-recover","lock-clear","sandbox-recover","sandbox-rebuild","sandbox-recreate","sandbox-gateway-restart","policy-add","policy-remove","inference-set","shields","sandbox-delete"]};
const schema16 = {"type":"object","additionalProperties":false,"required":["kind","name"],"properties":{"kind":{"enum":["host","gateway","sandbox"]},"name":{"type":"string","minLength":1},"gateway":{"type":"string"}}};
const schema17 = {"type":"object","additionalProperties":false,"required":["summary"],"properties":{"summary":{"type":"string","minLength":1},"desired":{"type":"object","additionalProperties":false,"required":["field","value"],"properties":{"field":{"type":"string"},"value":{},"source":{"type":"string"}}},"observed":{"type":"object","additionalProperties":false,"required":["fact","value"],"properties":{"fact":{"type":"string"},"value":{}}}}};
const schema19 = {"enum":["exact","predicted"],"description":"exact: fully determined by observed facts; predicted: depends on the outcome of an earlier step."};
const schema23 = {"type":"object","additionalProperties":false,"required":["label","before","after"],"properties":{"label":{"type":"string"},"before":{"type":"string"},"after":{"type":"string"}}};
const pattern2 = new RegExp("^[a-z-]+:[^\\s]+$", "u");
const schema20 = {"type":"object","additionalProperties":false,"required":["argv","display"],"properties":{"argv":{"type":"array","minItems":1,"items":{"type":"string"}},"env":{"type":"object","propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$"},"additionalProperties":{"$ref":"#/definitions/envValue"}},"display":{"type":"string","minLength":1,"description":"Shell rendering of argv and env; secrets appear as <secret env:NAME> or <secret file:PATH>. Derived from argv and env: `nemoclaw apply plan.json` renders it again from them and never shows or journals the stored text."},"okExitCodes":{"type":"array","items":{"type":"integer"}}}};
const pattern3 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");
const schema21 = {"oneOf":[{"type":"object","additionalProperties":false,"required":["value"],"properties":{"value":{"type":"string"}}},{"type":"object","additionalProperties":false,"required":["secret"],"properties":{"secret":{"$ref":"#/definitions/secretRef"}}}]};
const schema22 = {"oneOf":[{"type":"object","additionalProperties":false,"required":["kind","name"],"properties":{"kind":{"const":"env"},"name":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$"}}},{"type":"object","additionalProperties":false,"required":["kind","path"],"properties":{"kind":{"const":"file"},"path":{"type":"string","minLength":1}}}]};

function validate14(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
const _errs0 = errors;
let valid0 = false;
let passing0 = null;
const _errs1 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.value === undefined){
const err0 = {instancePath,schemaPath:"#/oneOf/0/required",keyword:"required",params:{missingProperty: "value"},message:"must have required property '"+"value"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!(key0 === "value")){
const err1 = {instancePath,schemaPath:"#/oneOf/0/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.value !== undefined){
if(typeof data.value !== "string"){
const err2 = {instancePath:instancePath+"/value",schemaPath:"#/oneOf/0/properties/value/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
}
else {
const err3 = {instancePath,schemaPath:"#/oneOf/0/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
var _valid0 = _errs1 === errors;
if(_valid0){
valid0 = true;
passing0 = 0;
}
const _errs6 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.secret === undefined){
const err4 = {instancePath,schemaPath:"#/oneOf/1/required",keyword:"required",params:{missingProperty: "secret"},message:"must have required property '"+"secret"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
for(const key1 in data){
if(!(key1 === "secret")){
const err5 = {instancePath,schemaPath:"#/oneOf/1/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.secret !== undefined){
let data1 = data.secret;
const _errs11 = errors;
let valid4 = false;
let passing1 = null;
const _errs12 = errors;
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
if(data1.kind === undefined){
const err6 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/0/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data1.name === undefined){
const err7 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/0/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
for(const key2 in data1){
if(!((key2 === "kind") || (key2 === "name"))){
const err8 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/0/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data1.kind !== undefined){
if("env" !== data1.kind){
const err9 = {instancePath:instancePath+"/secret/kind",schemaPath:"#/definitions/secretRef/oneOf/0/properties/kind/const",keyword:"const",params:{allowedValue: "env"},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data1.name !== undefined){
let data3 = data1.name;
if(typeof data3 === "string"){
if(!pattern3.test(data3)){
const err10 = {instancePath:instancePath+"/secret/name",schemaPath:"#/definitions/secretRef/oneOf/0/properties/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\""};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/secret/name",schemaPath:"#/definitions/secretRef/oneOf/0/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
else {
const err12 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/0/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
var _valid1 = _errs12 === errors;
if(_valid1){
valid4 = true;
passing1 = 0;
}
const _errs18 = errors;
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
if(data1.kind === undefined){
const err13 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/1/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(data1.path === undefined){
const err14 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/1/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
for(const key3 in data1){
if(!((key3 === "kind") || (key3 === "path"))){
const err15 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/1/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data1.kind !== undefined){
if("file" !== data1.kind){
const err16 = {instancePath:instancePath+"/secret/kind",schemaPath:"#/definitions/secretRef/oneOf/1/properties/kind/const",keyword:"const",params:{allowedValue: "file"},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data1.path !== undefined){
let data5 = data1.path;
if(typeof data5 === "string"){
if(func3(data5) < 1){
const err17 = {instancePath:instancePath+"/secret/path",schemaPath:"#/definitions/secretRef/oneOf/1/properties/path/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
else {
const err18 = {instancePath:instancePath+"/secret/path",schemaPath:"#/definitions/secretRef/oneOf/1/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
}
else {
const err19 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf/1/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
var _valid1 = _errs18 === errors;
if(_valid1 && valid4){
valid4 = false;
passing1 = [passing1, 1];
}
else {
if(_valid1){
valid4 = true;
passing1 = 1;
}
}
if(!valid4){
const err20 = {instancePath:instancePath+"/secret",schemaPath:"#/definitions/secretRef/oneOf",keyword:"oneOf",params:{passingSchemas: passing1},message:"must match exactly one schema in oneOf"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
else {
errors = _errs11;
if(vErrors !== null){
if(_errs11){
vErrors.length = _errs11;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err21 = {instancePath,schemaPath:"#/oneOf/1/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
var _valid0 = _errs6 === errors;
if(_valid0 && valid0){
valid0 = false;
passing0 = [passing0, 1];
}
else {
if(_valid0){
valid0 = true;
passing0 = 1;
}
}
if(!valid0){
const err22 = {instancePath,schemaPath:"#/oneOf",keyword:"oneOf",params:{passingSchemas: passing0},message:"must match exactly one schema in oneOf"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
else {
errors = _errs0;
if(vErrors !== null){
if(_errs0){
vErrors.length = _errs0;
}
else {
vErrors = null;
}
}
}
validate14.errors = vErrors;
return errors === 0;
}


function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.argv === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "argv"},message:"must have required property '"+"argv"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.display === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "display"},message:"must have required property '"+"display"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((((key0 === "argv") || (key0 === "env")) || (key0 === "display")) || (key0 === "okExitCodes"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.argv !== undefined){
let data0 = data.argv;
if(Array.isArray(data0)){
if(data0.length < 1){
const err3 = {instancePath:instancePath+"/argv",schemaPath:"#/properties/argv/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
const len0 = data0.length;
for(let i0=0; i0<len0; i0++){
if(typeof data0[i0] !== "string"){
const err4 = {instancePath:instancePath+"/argv/" + i0,schemaPath:"#/properties/argv/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
}
else {
const err5 = {instancePath:instancePath+"/argv",schemaPath:"#/properties/argv/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.env !== undefined){
let data2 = data.env;
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
for(const key1 in data2){
const _errs8 = errors;
if(typeof key1 === "string"){
if(!pattern3.test(key1)){
const err6 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",propertyName:key1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
var valid3 = _errs8 === errors;
if(!valid3){
const err7 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/propertyNames",keyword:"propertyNames",params:{propertyName: key1},message:"property name must be valid"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
for(const key2 in data2){
if(!(validate14(data2[key2], {instancePath:instancePath+"/env/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data2,parentDataProperty:key2,rootData}))){
vErrors = vErrors === null ? validate14.errors : vErrors.concat(validate14.errors);
errors = vErrors.length;
}
}
}
else {
const err8 = {instancePath:instancePath+"/env",schemaPath:"#/properties/env/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.display !== undefined){
let data4 = data.display;
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err9 = {instancePath:instancePath+"/display",schemaPath:"#/properties/display/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/display",schemaPath:"#/properties/display/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.okExitCodes !== undefined){
let data5 = data.okExitCodes;
if(Array.isArray(data5)){
const len1 = data5.length;
for(let i1=0; i1<len1; i1++){
let data6 = data5[i1];
if(!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6)))){
const err11 = {instancePath:instancePath+"/okExitCodes/" + i1,schemaPath:"#/properties/okExitCodes/items/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
else {
const err12 = {instancePath:instancePath+"/okExitCodes",schemaPath:"#/properties/okExitCodes/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
else {
const err13 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
validate13.errors = vErrors;
return errors === 0;
}


function validate12(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.id === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "id"},message:"must have required property '"+"id"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.kind === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.target === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "target"},message:"must have required property '"+"target"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.reason === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "reason"},message:"must have required property '"+"reason"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.risk === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "risk"},message:"must have required property '"+"risk"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.fidelity === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "fidelity"},message:"must have required property '"+"fidelity"+"'"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.dependsOn === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "dependsOn"},message:"must have required property '"+"dependsOn"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data.facts === undefined){
const err7 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "facts"},message:"must have required property '"+"facts"+"'"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if(data.commands === undefined){
const err8 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "commands"},message:"must have required property '"+"commands"+"'"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema14.properties, key0))){
const err9 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.id !== undefined){
let data0 = data.id;
if(typeof data0 === "string"){
if(!pattern2.test(data0)){
const err10 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/pattern",keyword:"pattern",params:{pattern: "^[a-z-]+:[^\\s]+$"},message:"must match pattern \""+"^[a-z-]+:[^\\s]+$"+"\""};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.kind !== undefined){
let data1 = data.kind;
if(!(((((((((((((((((((((data1 === "preflight") || (data1 === "backup")) || (data1 === "restore")) || (data1 === "nemoclaw-install")) || (data1 === "release-verify")) || (data1 === "openshell-install")) || (data1 === "gateway-retire")) || (data1 === "gateway-start")) || (data1 === "gateway-recover")) || (data1 === "sandbox-create")) || (data1 === "sandbox-stale-recover")) || (data1 === "lock-clear")) || (data1 === "sandbox-recover")) || (data1 === "sandbox-rebuild")) || (data1 === "sandbox-recreate")) || (data1 === "sandbox-gateway-restart")) || (data1 === "policy-add")) || (data1 === "policy-remove")) || (data1 === "inference-set")) || (data1 === "shields")) || (data1 === "sandbox-delete"))){
const err12 = {instancePath:instancePath+"/kind",schemaPath:"#/definitions/stepKind/enum",keyword:"enum",params:{allowedValues: schema15.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data.target !== undefined){
let data2 = data.target;
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
if(data2.kind === undefined){
const err13 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(data2.name === undefined){
const err14 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
for(const key1 in data2){
if(!(((key1 === "kind") || (key1 === "name")) || (key1 === "gateway"))){
const err15 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data2.kind !== undefined){
let data3 = data2.kind;
if(!(((data3 === "host") || (data3 === "gateway")) || (data3 === "sandbox"))){
const err16 = {instancePath:instancePath+"/target/kind",schemaPath:"#/definitions/target/properties/kind/enum",keyword:"enum",params:{allowedValues: schema16.properties.kind.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data2.name !== undefined){
let data4 = data2.name;
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err17 = {instancePath:instancePath+"/target/name",schemaPath:"#/definitions/target/properties/name/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
else {
const err18 = {instancePath:instancePath+"/target/name",schemaPath:"#/definitions/target/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data2.gateway !== undefined){
if(typeof data2.gateway !== "string"){
const err19 = {instancePath:instancePath+"/target/gateway",schemaPath:"#/definitions/target/properties/gateway/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
}
else {
const err20 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data.reason !== undefined){
let data6 = data.reason;
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
if(data6.summary === undefined){
const err21 = {instancePath:instancePath+"/reason",schemaPath:"#/definitions/reason/required",keyword:"required",params:{missingProperty: "summary"},message:"must have required property '"+"summary"+"'"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
for(const key2 in data6){
if(!(((key2 === "summary") || (key2 === "desired")) || (key2 === "observed"))){
const err22 = {instancePath:instancePath+"/reason",schemaPath:"#/definitions/reason/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data6.summary !== undefined){
let data7 = data6.summary;
if(typeof data7 === "string"){
if(func3(data7) < 1){
const err23 = {instancePath:instancePath+"/reason/summary",schemaPath:"#/definitions/reason/properties/summary/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
else {
const err24 = {instancePath:instancePath+"/reason/summary",schemaPath:"#/definitions/reason/properties/summary/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(data6.desired !== undefined){
let data8 = data6.desired;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
if(data8.field === undefined){
const err25 = {instancePath:instancePath+"/reason/desired",schemaPath:"#/definitions/reason/properties/desired/required",keyword:"required",params:{missingProperty: "field"},message:"must have required property '"+"field"+"'"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if(data8.value === undefined){
const err26 = {instancePath:instancePath+"/reason/desired",schemaPath:"#/definitions/reason/properties/desired/required",keyword:"required",params:{missingProperty: "value"},message:"must have required property '"+"value"+"'"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
for(const key3 in data8){
if(!(((key3 === "field") || (key3 === "value")) || (key3 === "source"))){
const err27 = {instancePath:instancePath+"/reason/desired",schemaPath:"#/definitions/reason/properties/desired/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data8.field !== undefined){
if(typeof data8.field !== "string"){
const err28 = {instancePath:instancePath+"/reason/desired/field",schemaPath:"#/definitions/reason/properties/desired/properties/field/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
if(data8.source !== undefined){
if(typeof data8.source !== "string"){
const err29 = {instancePath:instancePath+"/reason/desired/source",schemaPath:"#/definitions/reason/properties/desired/properties/source/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
}
else {
const err30 = {instancePath:instancePath+"/reason/desired",schemaPath:"#/definitions/reason/properties/desired/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(data6.observed !== undefined){
let data11 = data6.observed;
if(data11 && typeof data11 == "object" && !Array.isArray(data11)){
if(data11.fact === undefined){
const err31 = {instancePath:instancePath+"/reason/observed",schemaPath:"#/definitions/reason/properties/observed/required",keyword:"required",params:{missingProperty: "fact"},message:"must have required property '"+"fact"+"'"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
if(data11.value === undefined){
const err32 = {instancePath:instancePath+"/reason/observed",schemaPath:"#/definitions/reason/properties/observed/required",keyword:"required",params:{missingProperty: "value"},message:"must have required property '"+"value"+"'"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
for(const key4 in data11){
if(!((key4 === "fact") || (key4 === "value"))){
const err33 = {instancePath:instancePath+"/reason/observed",schemaPath:"#/definitions/reason/properties/observed/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
if(data11.fact !== undefined){
if(typeof data11.fact !== "string"){
const err34 = {instancePath:instancePath+"/reason/observed/fact",schemaPath:"#/definitions/reason/properties/observed/properties/fact/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
}
else {
const err35 = {instancePath:instancePath+"/reason/observed",schemaPath:"#/definitions/reason/properties/observed/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
}
else {
const err36 = {instancePath:instancePath+"/reason",schemaPath:"#/definitions/reason/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data.risk !== undefined){
let data13 = data.risk;
if(!(((data13 === "safe") || (data13 === "disruptive")) || (data13 === "destructive"))){
const err37 = {instancePath:instancePath+"/risk",schemaPath:"#/definitions/risk/enum",keyword:"enum",params:{allowedValues: schema12.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data.fidelity !== undefined){
let data14 = data.fidelity;
if(!((data14 === "exact") || (data14 === "predicted"))){
const err38 = {instancePath:instancePath+"/fidelity",schemaPath:"#/definitions/fidelity/enum",keyword:"enum",params:{allowedValues: schema19.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data.dependsOn !== undefined){
let data15 = data.dependsOn;
if(Array.isArray(data15)){
const len0 = data15.length;
for(let i0=0; i0<len0; i0++){
if(typeof data15[i0] !== "string"){
const err39 = {instancePath:instancePath+"/dependsOn/" + i0,schemaPath:"#/properties/dependsOn/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
let i1 = data15.length;
let j0;
if(i1 > 1){
const indices0 = {};
for(;i1--;){
let item0 = data15[i1];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err40 = {instancePath:instancePath+"/dependsOn",schemaPath:"#/properties/dependsOn/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)"};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
break;
}
indices0[item0] = i1;
}
}
}
else {
const err41 = {instancePath:instancePath+"/dependsOn",schemaPath:"#/properties/dependsOn/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
if(data.facts !== undefined){
let data17 = data.facts;
if(Array.isArray(data17)){
const len1 = data17.length;
for(let i2=0; i2<len1; i2++){
if(typeof data17[i2] !== "string"){
const err42 = {instancePath:instancePath+"/facts/" + i2,schemaPath:"#/properties/facts/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
let i3 = data17.length;
let j1;
if(i3 > 1){
const indices1 = {};
for(;i3--;){
let item1 = data17[i3];
if(typeof item1 !== "string"){
continue;
}
if(typeof indices1[item1] == "number"){
j1 = indices1[item1];
const err43 = {instancePath:instancePath+"/facts",schemaPath:"#/properties/facts/uniqueItems",keyword:"uniqueItems",params:{i: i3, j: j1},message:"must NOT have duplicate items (items ## "+j1+" and "+i3+" are identical)"};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
break;
}
indices1[item1] = i3;
}
}
}
else {
const err44 = {instancePath:instancePath+"/facts",schemaPath:"#/properties/facts/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(data.commands !== undefined){
let data19 = data.commands;
if(Array.isArray(data19)){
const len2 = data19.length;
for(let i4=0; i4<len2; i4++){
if(!(validate13(data19[i4], {instancePath:instancePath+"/commands/" + i4,parentData:data19,parentDataProperty:i4,rootData}))){
vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);
errors = vErrors.length;
}
}
}
else {
const err45 = {instancePath:instancePath+"/commands",schemaPath:"#/properties/commands/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
if(data.params !== undefined){
let data21 = data.params;
if(!(data21 && typeof data21 == "object" && !Array.isArray(data21))){
const err46 = {instancePath:instancePath+"/params",schemaPath:"#/properties/params/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(data.diff !== undefined){
let data22 = data.diff;
if(Array.isArray(data22)){
const len3 = data22.length;
for(let i5=0; i5<len3; i5++){
let data23 = data22[i5];
if(data23 && typeof data23 == "object" && !Array.isArray(data23)){
if(data23.label === undefined){
const err47 = {instancePath:instancePath+"/diff/" + i5,schemaPath:"#/definitions/textDiff/required",keyword:"required",params:{missingProperty: "label"},message:"must have required property '"+"label"+"'"};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
if(data23.before === undefined){
const err48 = {instancePath:instancePath+"/diff/" + i5,schemaPath:"#/definitions/textDiff/required",keyword:"required",params:{missingProperty: "before"},message:"must have required property '"+"before"+"'"};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
if(data23.after === undefined){
const err49 = {instancePath:instancePath+"/diff/" + i5,schemaPath:"#/definitions/textDiff/required",keyword:"required",params:{missingProperty: "after"},message:"must have required property '"+"after"+"'"};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
for(const key5 in data23){
if(!(((key5 === "label") || (key5 === "before")) || (key5 === "after"))){
const err50 = {instancePath:instancePath+"/diff/" + i5,schemaPath:"#/definitions/textDiff/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
if(data23.label !== undefined){
if(typeof data23.label !== "string"){
const err51 = {instancePath:instancePath+"/diff/" + i5+"/label",schemaPath:"#/definitions/textDiff/properties/label/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(data23.before !== undefined){
if(typeof data23.before !== "string"){
const err52 = {instancePath:instancePath+"/diff/" + i5+"/before",schemaPath:"#/definitions/textDiff/properties/before/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
if(data23.after !== undefined){
if(typeof data23.after !== "string"){
const err53 = {instancePath:instancePath+"/diff/" + i5+"/after",schemaPath:"#/definitions/textDiff/properties/after/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
}
else {
const err54 = {instancePath:instancePath+"/diff/" + i5,schemaPath:"#/definitions/textDiff/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
}
else {
const err55 = {instancePath:instancePath+"/diff",schemaPath:"#/properties/diff/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
if(data.hint !== undefined){
if(typeof data.hint !== "string"){
const err56 = {instancePath:instancePath+"/hint",schemaPath:"#/properties/hint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
}
else {
const err57 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
validate12.errors = vErrors;
return errors === 0;
}

const schema24 = {"description":"A step a risk ceiling (--max-risk) keeps from running: still pending.","type":"object","additionalProperties":false,"required":["id","kind","risk","summary","because"],"properties":{"id":{"type":"string","minLength":1},"kind":{"$ref":"#/definitions/stepKind"},"risk":{"$ref":"#/definitions/risk"},"summary":{"description":"The planner's reason for the step.","type":"string"},"because":{"description":"Why it is held back: its risk is above the ceiling, it needs a step that is held back, or it is only needed by held-back steps.","type":"string"},"sandbox":{"description":"The sandbox the step is for, when it is for one.","type":"string"}}};

function validate18(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.id === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "id"},message:"must have required property '"+"id"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.kind === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.risk === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "risk"},message:"must have required property '"+"risk"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.summary === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "summary"},message:"must have required property '"+"summary"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.because === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "because"},message:"must have required property '"+"because"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
for(const key0 in data){
if(!((((((key0 === "id") || (key0 === "kind")) || (key0 === "risk")) || (key0 === "summary")) || (key0 === "because")) || (key0 === "sandbox"))){
const err5 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.id !== undefined){
let data0 = data.id;
if(typeof data0 === "string"){
if(func3(data0) < 1){
const err6 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.kind !== undefined){
let data1 = data.kind;
if(!(((((((((((((((((((((data1 === "preflight") || (data1 === "backup")) || (data1 === "restore")) || (data1 === "nemoclaw-install")) || (data1 === "release-verify")) || (data1 === "openshell-install")) || (data1 === "gateway-retire")) || (data1 === "gateway-start")) || (data1 === "gateway-recover")) || (data1 === "sandbox-create")) || (data1 === "sandbox-stale-recover")) || (data1 === "lock-clear")) || (data1 === "sandbox-recover")) || (data1 === "sandbox-rebuild")) || (data1 === "sandbox-recreate")) || (data1 === "sandbox-gateway-restart")) || (data1 === "policy-add")) || (data1 === "policy-remove")) || (data1 === "inference-set")) || (data1 === "shields")) || (data1 === "sandbox-delete"))){
const err8 = {instancePath:instancePath+"/kind",schemaPath:"#/definitions/stepKind/enum",keyword:"enum",params:{allowedValues: schema15.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.risk !== undefined){
let data2 = data.risk;
if(!(((data2 === "safe") || (data2 === "disruptive")) || (data2 === "destructive"))){
const err9 = {instancePath:instancePath+"/risk",schemaPath:"#/definitions/risk/enum",keyword:"enum",params:{allowedValues: schema12.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.summary !== undefined){
if(typeof data.summary !== "string"){
const err10 = {instancePath:instancePath+"/summary",schemaPath:"#/properties/summary/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.because !== undefined){
if(typeof data.because !== "string"){
const err11 = {instancePath:instancePath+"/because",schemaPath:"#/properties/because/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.sandbox !== undefined){
if(typeof data.sandbox !== "string"){
const err12 = {instancePath:instancePath+"/sandbox",schemaPath:"#/properties/sandbox/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
else {
const err13 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
validate18.errors = vErrors;
return errors === 0;
}

const schema28 = {"type":"object","additionalProperties":false,"required":["level","message"],"properties":{"level":{"enum":["info","warning"]},"message":{"type":"string","minLength":1},"target":{"$ref":"#/definitions/target"},"fact":{"type":"string"},"excerpt":{"type":"string"}}};

function validate20(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.level === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "level"},message:"must have required property '"+"level"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.message === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "message"},message:"must have required property '"+"message"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!(((((key0 === "level") || (key0 === "message")) || (key0 === "target")) || (key0 === "fact")) || (key0 === "excerpt"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.level !== undefined){
let data0 = data.level;
if(!((data0 === "info") || (data0 === "warning"))){
const err3 = {instancePath:instancePath+"/level",schemaPath:"#/properties/level/enum",keyword:"enum",params:{allowedValues: schema28.properties.level.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.message !== undefined){
let data1 = data.message;
if(typeof data1 === "string"){
if(func3(data1) < 1){
const err4 = {instancePath:instancePath+"/message",schemaPath:"#/properties/message/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/message",schemaPath:"#/properties/message/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.target !== undefined){
let data2 = data.target;
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
if(data2.kind === undefined){
const err6 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data2.name === undefined){
const err7 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
for(const key1 in data2){
if(!(((key1 === "kind") || (key1 === "name")) || (key1 === "gateway"))){
const err8 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data2.kind !== undefined){
let data3 = data2.kind;
if(!(((data3 === "host") || (data3 === "gateway")) || (data3 === "sandbox"))){
const err9 = {instancePath:instancePath+"/target/kind",schemaPath:"#/definitions/target/properties/kind/enum",keyword:"enum",params:{allowedValues: schema16.properties.kind.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data2.name !== undefined){
let data4 = data2.name;
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err10 = {instancePath:instancePath+"/target/name",schemaPath:"#/definitions/target/properties/name/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/target/name",schemaPath:"#/definitions/target/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data2.gateway !== undefined){
if(typeof data2.gateway !== "string"){
const err12 = {instancePath:instancePath+"/target/gateway",schemaPath:"#/definitions/target/properties/gateway/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
else {
const err13 = {instancePath:instancePath+"/target",schemaPath:"#/definitions/target/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.fact !== undefined){
if(typeof data.fact !== "string"){
const err14 = {instancePath:instancePath+"/fact",schemaPath:"#/properties/fact/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data.excerpt !== undefined){
if(typeof data.excerpt !== "string"){
const err15 = {instancePath:instancePath+"/excerpt",schemaPath:"#/properties/excerpt/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
}
else {
const err16 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
validate20.errors = vErrors;
return errors === 0;
}

const pattern5 = new RegExp("^[0-9a-f]{64}$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.host === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.status === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "status"},message:"must have required property '"+"status"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.steps === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "steps"},message:"must have required property '"+"steps"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.notes === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "notes"},message:"must have required property '"+"notes"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.fingerprints === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "fingerprints"},message:"must have required property '"+"fingerprints"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
for(const key0 in data){
if(!((((((((key0 === "host") || (key0 === "status")) || (key0 === "steps")) || (key0 === "heldBack")) || (key0 === "block")) || (key0 === "notes")) || (key0 === "fingerprints")) || (key0 === "factValues"))){
const err5 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.host !== undefined){
let data0 = data.host;
if(typeof data0 === "string"){
if(func3(data0) < 1){
const err6 = {instancePath:instancePath+"/host",schemaPath:"#/properties/host/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/host",schemaPath:"#/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.status !== undefined){
let data1 = data.status;
if(!(((((data1 === "no-changes") || (data1 === "changes")) || (data1 === "blocked")) || (data1 === "unreachable")) || (data1 === "unknown"))){
const err8 = {instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema13.properties.status.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.steps !== undefined){
let data2 = data.steps;
if(Array.isArray(data2)){
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
if(!(validate12(data2[i0], {instancePath:instancePath+"/steps/" + i0,parentData:data2,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate12.errors : vErrors.concat(validate12.errors);
errors = vErrors.length;
}
}
}
else {
const err9 = {instancePath:instancePath+"/steps",schemaPath:"#/properties/steps/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.heldBack !== undefined){
let data4 = data.heldBack;
if(Array.isArray(data4)){
const len1 = data4.length;
for(let i1=0; i1<len1; i1++){
if(!(validate18(data4[i1], {instancePath:instancePath+"/heldBack/" + i1,parentData:data4,parentDataProperty:i1,rootData}))){
vErrors = vErrors === null ? validate18.errors : vErrors.concat(validate18.errors);
errors = vErrors.length;
}
}
}
else {
const err10 = {instancePath:instancePath+"/heldBack",schemaPath:"#/properties/heldBack/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.block !== undefined){
let data6 = data.block;
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
if(data6.driver === undefined){
const err11 = {instancePath:instancePath+"/block",schemaPath:"#/definitions/block/required",keyword:"required",params:{missingProperty: "driver"},message:"must have required property '"+"driver"+"'"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if(data6.installedVersion === undefined){
const err12 = {instancePath:instancePath+"/block",schemaPath:"#/definitions/block/required",keyword:"required",params:{missingProperty: "installedVersion"},message:"must have required property '"+"installedVersion"+"'"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(data6.runningVersion === undefined){
const err13 = {instancePath:instancePath+"/block",schemaPath:"#/definitions/block/required",keyword:"required",params:{missingProperty: "runningVersion"},message:"must have required property '"+"runningVersion"+"'"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(data6.gateway === undefined){
const err14 = {instancePath:instancePath+"/block",schemaPath:"#/definitions/block/required",keyword:"required",params:{missingProperty: "gateway"},message:"must have required property '"+"gateway"+"'"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(data6.lines === undefined){
const err15 = {instancePath:instancePath+"/block",schemaPath:"#/definitions/block/required",keyword:"required",params:{missingProperty: "lines"},message:"must have required property '"+"lines"+"'"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
for(const key1 in data6){
if(!(((((((key1 === "driver") || (key1 === "installedVersion")) || (key1 === "runningVersion")) || (key1 === "runningImage")) || (key1 === "runningBinary")) || (key1 === "gateway")) || (key1 === "lines"))){
const err16 = {instancePath:instancePath+"/block",schemaPath:"#/definitions/block/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data6.driver !== undefined){
let data7 = data6.driver;
if(!(((data7 === "cluster-container") || (data7 === "host-process")) || (data7 === "unknown"))){
const err17 = {instancePath:instancePath+"/block/driver",schemaPath:"#/definitions/block/properties/driver/enum",keyword:"enum",params:{allowedValues: schema27.properties.driver.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data6.installedVersion !== undefined){
if(typeof data6.installedVersion !== "string"){
const err18 = {instancePath:instancePath+"/block/installedVersion",schemaPath:"#/definitions/block/properties/installedVersion/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data6.runningVersion !== undefined){
let data9 = data6.runningVersion;
if((typeof data9 !== "string") && (data9 !== null)){
const err19 = {instancePath:instancePath+"/block/runningVersion",schemaPath:"#/definitions/block/properties/runningVersion/type",keyword:"type",params:{type: schema27.properties.runningVersion.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data6.runningImage !== undefined){
if(typeof data6.runningImage !== "string"){
const err20 = {instancePath:instancePath+"/block/runningImage",schemaPath:"#/definitions/block/properties/runningImage/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data6.runningBinary !== undefined){
if(typeof data6.runningBinary !== "string"){
const err21 = {instancePath:instancePath+"/block/runningBinary",schemaPath:"#/definitions/block/properties/runningBinary/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data6.gateway !== undefined){
if(typeof data6.gateway !== "string"){
const err22 = {instancePath:instancePath+"/block/gateway",schemaPath:"#/definitions/block/properties/gateway/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data6.lines !== undefined){
let data13 = data6.lines;
if(Array.isArray(data13)){
if(data13.length < 1){
const err23 = {instancePath:instancePath+"/block/lines",schemaPath:"#/definitions/block/properties/lines/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
const len2 = data13.length;
for(let i2=0; i2<len2; i2++){
if(typeof data13[i2] !== "string"){
const err24 = {instancePath:instancePath+"/block/lines/" + i2,schemaPath:"#/definitions/block/properties/lines/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
}
else {
const err25 = {instancePath:instancePath+"/block/lines",schemaPath:"#/definitions/block/properties/lines/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
else {
const err26 = {instancePath:instancePath+"/block",schemaPath:"#/definitions/block/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.notes !== undefined){
let data15 = data.notes;
if(Array.isArray(data15)){
const len3 = data15.length;
for(let i3=0; i3<len3; i3++){
if(!(validate20(data15[i3], {instancePath:instancePath+"/notes/" + i3,parentData:data15,parentDataProperty:i3,rootData}))){
vErrors = vErrors === null ? validate20.errors : vErrors.concat(validate20.errors);
errors = vErrors.length;
}
}
}
else {
const err27 = {instancePath:instancePath+"/notes",schemaPath:"#/properties/notes/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data.fingerprints !== undefined){
let data17 = data.fingerprints;
if(data17 && typeof data17 == "object" && !Array.isArray(data17)){
for(const key2 in data17){
let data18 = data17[key2];
if(typeof data18 === "string"){
if(!pattern5.test(data18)){
const err28 = {instancePath:instancePath+"/fingerprints/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/fingerprints/additionalProperties/pattern",keyword:"pattern",params:{pattern: "^[0-9a-f]{64}$"},message:"must match pattern \""+"^[0-9a-f]{64}$"+"\""};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/fingerprints/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/fingerprints/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
}
else {
const err30 = {instancePath:instancePath+"/fingerprints",schemaPath:"#/properties/fingerprints/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(data.factValues !== undefined){
let data19 = data.factValues;
if(data19 && typeof data19 == "object" && !Array.isArray(data19)){
}
else {
const err31 = {instancePath:instancePath+"/factValues",schemaPath:"#/properties/factValues/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
}
else {
const err32 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}

const schema30 = {"type":"object","additionalProperties":false,"required":["hosts","hostsWithChanges","blocked","unreachable","unknown","steps","byRisk","byFidelity"],"properties":{"hosts":{"$ref":"#/definitions/counts"},"hostsWithChanges":{"$ref":"#/definitions/counts"},"blocked":{"$ref":"#/definitions/counts"},"unreachable":{"$ref":"#/definitions/counts"},"unknown":{"$ref":"#/definitions/counts"},"steps":{"$ref":"#/definitions/counts"},"byRisk":{"type":"object","additionalProperties":false,"required":["safe","disruptive","destructive"],"properties":{"safe":{"$ref":"#/definitions/counts"},"disruptive":{"$ref":"#/definitions/counts"},"destructive":{"$ref":"#/definitions/counts"}}},"byFidelity":{"type":"object","additionalProperties":false,"required":["exact","predicted"],"properties":{"exact":{"$ref":"#/definitions/counts"},"predicted":{"$ref":"#/definitions/counts"}}},"heldBack":{"description":"Steps held back by --max-risk; absent when none is.","$ref":"#/definitions/counts"}}};
const schema31 = {"type":"integer","minimum":0};

function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.hosts === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "hosts"},message:"must have required property '"+"hosts"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.hostsWithChanges === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "hostsWithChanges"},message:"must have required property '"+"hostsWithChanges"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.blocked === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "blocked"},message:"must have required property '"+"blocked"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.unreachable === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "unreachable"},message:"must have required property '"+"unreachable"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.unknown === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "unknown"},message:"must have required property '"+"unknown"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.steps === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "steps"},message:"must have required property '"+"steps"+"'"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.byRisk === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "byRisk"},message:"must have required property '"+"byRisk"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data.byFidelity === undefined){
const err7 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "byFidelity"},message:"must have required property '"+"byFidelity"+"'"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema30.properties, key0))){
const err8 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.hosts !== undefined){
let data0 = data.hosts;
if(!(((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))) && (isFinite(data0)))){
const err9 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if((typeof data0 == "number") && (isFinite(data0))){
if(data0 < 0 || isNaN(data0)){
const err10 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
}
if(data.hostsWithChanges !== undefined){
let data1 = data.hostsWithChanges;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
const err11 = {instancePath:instancePath+"/hostsWithChanges",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
const err12 = {instancePath:instancePath+"/hostsWithChanges",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
if(data.blocked !== undefined){
let data2 = data.blocked;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
const err13 = {instancePath:instancePath+"/blocked",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 0 || isNaN(data2)){
const err14 = {instancePath:instancePath+"/blocked",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
}
if(data.unreachable !== undefined){
let data3 = data.unreachable;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
const err15 = {instancePath:instancePath+"/unreachable",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
if((typeof data3 == "number") && (isFinite(data3))){
if(data3 < 0 || isNaN(data3)){
const err16 = {instancePath:instancePath+"/unreachable",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
}
if(data.unknown !== undefined){
let data4 = data.unknown;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
const err17 = {instancePath:instancePath+"/unknown",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if((typeof data4 == "number") && (isFinite(data4))){
if(data4 < 0 || isNaN(data4)){
const err18 = {instancePath:instancePath+"/unknown",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
}
if(data.steps !== undefined){
let data5 = data.steps;
if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){
const err19 = {instancePath:instancePath+"/steps",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if((typeof data5 == "number") && (isFinite(data5))){
if(data5 < 0 || isNaN(data5)){
const err20 = {instancePath:instancePath+"/steps",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
if(data.byRisk !== undefined){
let data6 = data.byRisk;
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
if(data6.safe === undefined){
const err21 = {instancePath:instancePath+"/byRisk",schemaPath:"#/properties/byRisk/required",keyword:"required",params:{missingProperty: "safe"},message:"must have required property '"+"safe"+"'"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(data6.disruptive === undefined){
const err22 = {instancePath:instancePath+"/byRisk",schemaPath:"#/properties/byRisk/required",keyword:"required",params:{missingProperty: "disruptive"},message:"must have required property '"+"disruptive"+"'"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
if(data6.destructive === undefined){
const err23 = {instancePath:instancePath+"/byRisk",schemaPath:"#/properties/byRisk/required",keyword:"required",params:{missingProperty: "destructive"},message:"must have required property '"+"destructive"+"'"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
for(const key1 in data6){
if(!(((key1 === "safe") || (key1 === "disruptive")) || (key1 === "destructive"))){
const err24 = {instancePath:instancePath+"/byRisk",schemaPath:"#/properties/byRisk/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(data6.safe !== undefined){
let data7 = data6.safe;
if(!(((typeof data7 == "number") && (!(data7 % 1) && !isNaN(data7))) && (isFinite(data7)))){
const err25 = {instancePath:instancePath+"/byRisk/safe",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if((typeof data7 == "number") && (isFinite(data7))){
if(data7 < 0 || isNaN(data7)){
const err26 = {instancePath:instancePath+"/byRisk/safe",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
}
if(data6.disruptive !== undefined){
let data8 = data6.disruptive;
if(!(((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8))) && (isFinite(data8)))){
const err27 = {instancePath:instancePath+"/byRisk/disruptive",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if((typeof data8 == "number") && (isFinite(data8))){
if(data8 < 0 || isNaN(data8)){
const err28 = {instancePath:instancePath+"/byRisk/disruptive",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
if(data6.destructive !== undefined){
let data9 = data6.destructive;
if(!(((typeof data9 == "number") && (!(data9 % 1) && !isNaN(data9))) && (isFinite(data9)))){
const err29 = {instancePath:instancePath+"/byRisk/destructive",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
if((typeof data9 == "number") && (isFinite(data9))){
if(data9 < 0 || isNaN(data9)){
const err30 = {instancePath:instancePath+"/byRisk/destructive",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
}
}
else {
const err31 = {instancePath:instancePath+"/byRisk",schemaPath:"#/properties/byRisk/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(data.byFidelity !== undefined){
let data10 = data.byFidelity;
if(data10 && typeof data10 == "object" && !Array.isArray(data10)){
if(data10.exact === undefined){
const err32 = {instancePath:instancePath+"/byFidelity",schemaPath:"#/properties/byFidelity/required",keyword:"required",params:{missingProperty: "exact"},message:"must have required property '"+"exact"+"'"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
if(data10.predicted === undefined){
const err33 = {instancePath:instancePath+"/byFidelity",schemaPath:"#/properties/byFidelity/required",keyword:"required",params:{missingProperty: "predicted"},message:"must have required property '"+"predicted"+"'"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
for(const key2 in data10){
if(!((key2 === "exact") || (key2 === "predicted"))){
const err34 = {instancePath:instancePath+"/byFidelity",schemaPath:"#/properties/byFidelity/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data10.exact !== undefined){
let data11 = data10.exact;
if(!(((typeof data11 == "number") && (!(data11 % 1) && !isNaN(data11))) && (isFinite(data11)))){
const err35 = {instancePath:instancePath+"/byFidelity/exact",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
if((typeof data11 == "number") && (isFinite(data11))){
if(data11 < 0 || isNaN(data11)){
const err36 = {instancePath:instancePath+"/byFidelity/exact",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
}
if(data10.predicted !== undefined){
let data12 = data10.predicted;
if(!(((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12))) && (isFinite(data12)))){
const err37 = {instancePath:instancePath+"/byFidelity/predicted",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
if((typeof data12 == "number") && (isFinite(data12))){
if(data12 < 0 || isNaN(data12)){
const err38 = {instancePath:instancePath+"/byFidelity/predicted",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
}
}
else {
const err39 = {instancePath:instancePath+"/byFidelity",schemaPath:"#/properties/byFidelity/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
if(data.heldBack !== undefined){
let data13 = data.heldBack;
if(!(((typeof data13 == "number") && (!(data13 % 1) && !isNaN(data13))) && (isFinite(data13)))){
const err40 = {instancePath:instancePath+"/heldBack",schemaPath:"#/definitions/counts/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
if((typeof data13 == "number") && (isFinite(data13))){
if(data13 < 0 || isNaN(data13)){
const err41 = {instancePath:instancePath+"/heldBack",schemaPath:"#/definitions/counts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
}
else {
const err42 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
validate23.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://nemoclaw.dev/schemas/plan.schema.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.formatVersion === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "formatVersion"},message:"must have required property '"+"formatVersion"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.kind === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "kind"},message:"must have required property '"+"kind"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.createdAt === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "createdAt"},message:"must have required property '"+"createdAt"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.toolVersion === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "toolVersion"},message:"must have required property '"+"toolVersion"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.fleet === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "fleet"},message:"must have required property '"+"fleet"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.selection === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "selection"},message:"must have required property '"+"selection"+"'"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.options === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "options"},message:"must have required property '"+"options"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data.hosts === undefined){
const err7 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "hosts"},message:"must have required property '"+"hosts"+"'"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if(data.summary === undefined){
const err8 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "summary"},message:"must have required property '"+"summary"+"'"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err9 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.formatVersion !== undefined){
if(1 !== data.formatVersion){
const err10 = {instancePath:instancePath+"/formatVersion",schemaPath:"#/properties/formatVersion/const",keyword:"const",params:{allowedValue: 1},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.kind !== undefined){
if("nemoclaw-fleet-plan" !== data.kind){
const err11 = {instancePath:instancePath+"/kind",schemaPath:"#/properties/kind/const",keyword:"const",params:{allowedValue: "nemoclaw-fleet-plan"},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.createdAt !== undefined){
let data2 = data.createdAt;
if(typeof data2 === "string"){
if(!(formats0.validate(data2))){
const err12 = {instancePath:instancePath+"/createdAt",schemaPath:"#/properties/createdAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/createdAt",schemaPath:"#/properties/createdAt/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.toolVersion !== undefined){
let data3 = data.toolVersion;
if(typeof data3 === "string"){
if(func3(data3) < 1){
const err14 = {instancePath:instancePath+"/toolVersion",schemaPath:"#/properties/toolVersion/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/toolVersion",schemaPath:"#/properties/toolVersion/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.fleet !== undefined){
let data4 = data.fleet;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
if(data4.name === undefined){
const err16 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
if(data4.file === undefined){
const err17 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/required",keyword:"required",params:{missingProperty: "file"},message:"must have required property '"+"file"+"'"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(data4.digest === undefined){
const err18 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/required",keyword:"required",params:{missingProperty: "digest"},message:"must have required property '"+"digest"+"'"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
for(const key1 in data4){
if(!(((key1 === "name") || (key1 === "file")) || (key1 === "digest"))){
const err19 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data4.name !== undefined){
if(typeof data4.name !== "string"){
const err20 = {instancePath:instancePath+"/fleet/name",schemaPath:"#/properties/fleet/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data4.file !== undefined){
if(typeof data4.file !== "string"){
const err21 = {instancePath:instancePath+"/fleet/file",schemaPath:"#/properties/fleet/properties/file/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data4.digest !== undefined){
if(typeof data4.digest !== "string"){
const err22 = {instancePath:instancePath+"/fleet/digest",schemaPath:"#/properties/fleet/properties/digest/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
}
else {
const err23 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
if(data.selection !== undefined){
let data8 = data.selection;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
if(data8.limit === undefined){
const err24 = {instancePath:instancePath+"/selection",schemaPath:"#/properties/selection/required",keyword:"required",params:{missingProperty: "limit"},message:"must have required property '"+"limit"+"'"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if(data8.hosts === undefined){
const err25 = {instancePath:instancePath+"/selection",schemaPath:"#/properties/selection/required",keyword:"required",params:{missingProperty: "hosts"},message:"must have required property '"+"hosts"+"'"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
for(const key2 in data8){
if(!((key2 === "limit") || (key2 === "hosts"))){
const err26 = {instancePath:instancePath+"/selection",schemaPath:"#/properties/selection/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data8.limit !== undefined){
let data9 = data8.limit;
if((typeof data9 !== "string") && (data9 !== null)){
const err27 = {instancePath:instancePath+"/selection/limit",schemaPath:"#/properties/selection/properties/limit/type",keyword:"type",params:{type: schema11.properties.selection.properties.limit.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data8.hosts !== undefined){
let data10 = data8.hosts;
if(Array.isArray(data10)){
const len0 = data10.length;
for(let i0=0; i0<len0; i0++){
let data11 = data10[i0];
if(typeof data11 === "string"){
if(func3(data11) < 1){
const err28 = {instancePath:instancePath+"/selection/hosts/" + i0,schemaPath:"#/properties/selection/properties/hosts/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/selection/hosts/" + i0,schemaPath:"#/properties/selection/properties/hosts/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
let i1 = data10.length;
let j0;
if(i1 > 1){
const indices0 = {};
for(;i1--;){
let item0 = data10[i1];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err30 = {instancePath:instancePath+"/selection/hosts",schemaPath:"#/properties/selection/properties/hosts/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
break;
}
indices0[item0] = i1;
}
}
}
else {
const err31 = {instancePath:instancePath+"/selection/hosts",schemaPath:"#/properties/selection/properties/hosts/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
}
else {
const err32 = {instancePath:instancePath+"/selection",schemaPath:"#/properties/selection/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data.options !== undefined){
let data12 = data.options;
if(data12 && typeof data12 == "object" && !Array.isArray(data12)){
if(data12.pruneUnmanaged === undefined){
const err33 = {instancePath:instancePath+"/options",schemaPath:"#/properties/options/required",keyword:"required",params:{missingProperty: "pruneUnmanaged"},message:"must have required property '"+"pruneUnmanaged"+"'"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
for(const key3 in data12){
if(!((((key3 === "pruneUnmanaged") || (key3 === "replace")) || (key3 === "targets")) || (key3 === "maxRisk"))){
const err34 = {instancePath:instancePath+"/options",schemaPath:"#/properties/options/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data12.pruneUnmanaged !== undefined){
if(typeof data12.pruneUnmanaged !== "boolean"){
const err35 = {instancePath:instancePath+"/options/pruneUnmanaged",schemaPath:"#/properties/options/properties/pruneUnmanaged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
if(data12.replace !== undefined){
let data14 = data12.replace;
if(Array.isArray(data14)){
const len1 = data14.length;
for(let i2=0; i2<len1; i2++){
let data15 = data14[i2];
if(typeof data15 === "string"){
if(!pattern0.test(data15)){
const err36 = {instancePath:instancePath+"/options/replace/" + i2,schemaPath:"#/properties/options/properties/replace/items/pattern",keyword:"pattern",params:{pattern: "^.+@.+$"},message:"must match pattern \""+"^.+@.+$"+"\""};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
else {
const err37 = {instancePath:instancePath+"/options/replace/" + i2,schemaPath:"#/properties/options/properties/replace/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
}
else {
const err38 = {instancePath:instancePath+"/options/replace",schemaPath:"#/properties/options/properties/replace/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data12.targets !== undefined){
let data16 = data12.targets;
if((!(Array.isArray(data16))) && (data16 !== null)){
const err39 = {instancePath:instancePath+"/options/targets",schemaPath:"#/properties/options/properties/targets/type",keyword:"type",params:{type: schema11.properties.options.properties.targets.type},message:"must be array,null"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if(Array.isArray(data16)){
const len2 = data16.length;
for(let i3=0; i3<len2; i3++){
let data17 = data16[i3];
if(typeof data17 === "string"){
if(!pattern0.test(data17)){
const err40 = {instancePath:instancePath+"/options/targets/" + i3,schemaPath:"#/properties/options/properties/targets/items/pattern",keyword:"pattern",params:{pattern: "^.+@.+$"},message:"must match pattern \""+"^.+@.+$"+"\""};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
else {
const err41 = {instancePath:instancePath+"/options/targets/" + i3,schemaPath:"#/properties/options/properties/targets/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
}
if(data12.maxRisk !== undefined){
let data18 = data12.maxRisk;
if(!(((data18 === "safe") || (data18 === "disruptive")) || (data18 === "destructive"))){
const err42 = {instancePath:instancePath+"/options/maxRisk",schemaPath:"#/definitions/risk/enum",keyword:"enum",params:{allowedValues: schema12.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
}
else {
const err43 = {instancePath:instancePath+"/options",schemaPath:"#/properties/options/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(data.hosts !== undefined){
let data19 = data.hosts;
if(Array.isArray(data19)){
const len3 = data19.length;
for(let i4=0; i4<len3; i4++){
if(!(validate11(data19[i4], {instancePath:instancePath+"/hosts/" + i4,parentData:data19,parentDataProperty:i4,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err44 = {instancePath:instancePath+"/hosts",schemaPath:"#/properties/hosts/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(data.summary !== undefined){
if(!(validate23(data.summary, {instancePath:instancePath+"/summary",parentData:data,parentDataProperty:"summary",rootData}))){
vErrors = vErrors === null ? validate23.errors : vErrors.concat(validate23.errors);
errors = vErrors.length;
}
}
if(data.planDigest !== undefined){
let data22 = data.planDigest;
if(typeof data22 === "string"){
if(!pattern6.test(data22)){
const err45 = {instancePath:instancePath+"/planDigest",schemaPath:"#/properties/planDigest/pattern",keyword:"pattern",params:{pattern: "^sha256:[0-9a-f]{64}$"},message:"must match pattern \""+"^sha256:[0-9a-f]{64}$"+"\""};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
else {
const err46 = {instancePath:instancePath+"/planDigest",schemaPath:"#/properties/planDigest/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
}
else {
const err47 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

