// @ts-nocheck
/* eslint-disable */
// Generated from schemas/backup-manifest.schema.json by scripts/gen-validator.mjs (npm run gen:types).
// Do not edit by hand: change the schema and regenerate.
// ajv's standalone code loads its runtime helpers and formats with require(), even as an ES module.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
export const validate = validate20;
export default validate20;
const schema31 = {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://nemoclaw.dev/schemas/backup-manifest.schema.json","title":"nemoclaw fleet backup manifest","description":"manifest.json beside backup.tar in <destination>/<host>/<sandbox>/<timestamp>/. The archive holds NemoClaw's own snapshot layout (rebuild-backups/<sandbox>/<timestamp>/ with rebuild-manifest.json), so it can also be restored by hand with `nemoclaw <sandbox> snapshot restore <timestamp>`.","type":"object","additionalProperties":false,"required":["formatVersion","id","host","sandbox","gateway","openshell","agent","snapshot","archive","createdAt","policy","runId","toolVersion","verified"],"properties":{"formatVersion":{"const":1,"description":"Version of this manifest format."},"id":{"type":"string","pattern":"^[^/]+/[^/]+/[^/]+$","description":"<host>/<sandbox>/<timestamp>, unique within a destination."},"host":{"type":"string","minLength":1,"description":"Fleet host the sandbox ran on."},"sandbox":{"type":"string","pattern":"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$","description":"Sandbox name (NemoClaw's rule)."},"gateway":{"type":"string","pattern":"^nemoclaw(-[0-9]{1,5})?$","description":"OpenShell gateway the sandbox lived on: nemoclaw (port 8080) or nemoclaw-<port>."},"openshell":{"type":"object","additionalProperties":false,"required":["cliVersion","gatewayVersion"],"properties":{"cliVersion":{"type":["string","null"],"description":"Installed `openshell --version` on the host."},"gatewayVersion":{"type":["string","null"],"description":"Version of the running gateway (cluster image tag or host-process binary)."}}},"agent":{"type":"object","additionalProperties":false,"required":["type","version"],"properties":{"type":{"type":"string","minLength":1,"description":"Agent type from NemoClaw's rebuild-manifest.json (openclaw, hermes, …)."},"version":{"type":["string","null"]}}},"snapshot":{"type":"object","additionalProperties":false,"required":["timestamp","label","path"],"properties":{"timestamp":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{3}Z$","description":"NemoClaw snapshot timestamp (ISO time with ':' and '.' replaced by '-')."},"label":{"type":"string","description":"The --name given to `nemoclaw <sandbox> snapshot create`."},"path":{"type":"string","pattern":"^rebuild-backups/[^/]+/[^/]+$","description":"Top directory inside the archive, relative to ~/.nemoclaw."}}},"archive":{"type":"object","additionalProperties":false,"required":["file","format","sizeBytes","sha256"],"properties":{"file":{"const":"backup.tar"},"format":{"const":"tar"},"sizeBytes":{"type":"integer","minimum":0},"sha256":{"type":"string","pattern":"^[0-9a-f]{64}$"}}},"createdAt":{"type":"string","format":"date-time","description":"When the backup was committed to the store (controller clock)."},"policy":{"type":"string","minLength":1,"description":"Backup policy that took it; retention applies per policy."},"runId":{"type":"string","minLength":1},"toolVersion":{"type":"string","minLength":1},"verified":{"description":"Result of the latest verification (re-hash and test extraction), or null when never verified.","oneOf":[{"type":"null"},{"type":"object","additionalProperties":false,"required":["at","ok"],"properties":{"at":{"type":"string","format":"date-time"},"ok":{"type":"boolean"},"problem":{"type":"string","description":"Why verification failed."}}}]}}};
const func1 = Object.prototype.hasOwnProperty;
const func2 = require("ajv/dist/runtime/ucs2length").default;
const pattern4 = new RegExp("^[^/]+/[^/]+/[^/]+$", "u");
const pattern5 = new RegExp("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", "u");
const pattern6 = new RegExp("^nemoclaw(-[0-9]{1,5})?$", "u");
const pattern7 = new RegExp("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{3}Z$", "u");
const pattern8 = new RegExp("^rebuild-backups/[^/]+/[^/]+$", "u");
const pattern9 = new RegExp("^[0-9a-f]{64}$", "u");
const formats0 = require("ajv-formats/dist/formats").fullFormats["date-time"];

function validate20(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
/*# sourceURL="https://nemoclaw.dev/schemas/backup-manifest.schema.json" */;
let vErrors = null;
let errors = 0;
const evaluated0 = validate20.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
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
if(data.id === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "id"},message:"must have required property '"+"id"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.host === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.sandbox === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "sandbox"},message:"must have required property '"+"sandbox"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.gateway === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "gateway"},message:"must have required property '"+"gateway"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.openshell === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "openshell"},message:"must have required property '"+"openshell"+"'"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.agent === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "agent"},message:"must have required property '"+"agent"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data.snapshot === undefined){
const err7 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "snapshot"},message:"must have required property '"+"snapshot"+"'"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if(data.archive === undefined){
const err8 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "archive"},message:"must have required property '"+"archive"+"'"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(data.createdAt === undefined){
const err9 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "createdAt"},message:"must have required property '"+"createdAt"+"'"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(data.policy === undefined){
const err10 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "policy"},message:"must have required property '"+"policy"+"'"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(data.runId === undefined){
const err11 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "runId"},message:"must have required property '"+"runId"+"'"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if(data.toolVersion === undefined){
const err12 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "toolVersion"},message:"must have required property '"+"toolVersion"+"'"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(data.verified === undefined){
const err13 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "verified"},message:"must have required property '"+"verified"+"'"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
for(const key0 in data){
if(!(func1.call(schema31.properties, key0))){
const err14 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data.formatVersion !== undefined){
if(1 !== data.formatVersion){
const err15 = {instancePath:instancePath+"/formatVersion",schemaPath:"#/properties/formatVersion/const",keyword:"const",params:{allowedValue: 1},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.id !== undefined){
let data1 = data.id;
if(typeof data1 === "string"){
if(!pattern4.test(data1)){
const err16 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/pattern",keyword:"pattern",params:{pattern: "^[^/]+/[^/]+/[^/]+$"},message:"must match pattern \""+"^[^/]+/[^/]+/[^/]+$"+"\""};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/id",schemaPath:"#/properties/id/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.host !== undefined){
let data2 = data.host;
if(typeof data2 === "string"){
if(func2(data2) < 1){
const err18 = {instancePath:instancePath+"/host",schemaPath:"#/properties/host/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
else {
const err19 = {instancePath:instancePath+"/host",schemaPath:"#/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data.sandbox !== undefined){
let data3 = data.sandbox;
if(typeof data3 === "string"){
if(!pattern5.test(data3)){
const err20 = {instancePath:instancePath+"/sandbox",schemaPath:"#/properties/sandbox/pattern",keyword:"pattern",params:{pattern: "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"},message:"must match pattern \""+"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"+"\""};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/sandbox",schemaPath:"#/properties/sandbox/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data.gateway !== undefined){
let data4 = data.gateway;
if(typeof data4 === "string"){
if(!pattern6.test(data4)){
const err22 = {instancePath:instancePath+"/gateway",schemaPath:"#/properties/gateway/pattern",keyword:"pattern",params:{pattern: "^nemoclaw(-[0-9]{1,5})?$"},message:"must match pattern \""+"^nemoclaw(-[0-9]{1,5})?$"+"\""};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
else {
const err23 = {instancePath:instancePath+"/gateway",schemaPath:"#/properties/gateway/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
if(data.openshell !== undefined){
let data5 = data.openshell;
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
if(data5.cliVersion === undefined){
const err24 = {instancePath:instancePath+"/openshell",schemaPath:"#/properties/openshell/required",keyword:"required",params:{missingProperty: "cliVersion"},message:"must have required property '"+"cliVersion"+"'"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if(data5.gatewayVersion === undefined){
const err25 = {instancePath:instancePath+"/openshell",schemaPath:"#/properties/openshell/required",keyword:"required",params:{missingProperty: "gatewayVersion"},message:"must have required property '"+"gatewayVersion"+"'"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
for(const key1 in data5){
if(!((key1 === "cliVersion") || (key1 === "gatewayVersion"))){
const err26 = {instancePath:instancePath+"/openshell",schemaPath:"#/properties/openshell/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data5.cliVersion !== undefined){
let data6 = data5.cliVersion;
if((typeof data6 !== "string") && (data6 !== null)){
const err27 = {instancePath:instancePath+"/openshell/cliVersion",schemaPath:"#/properties/openshell/properties/cliVersion/type",keyword:"type",params:{type: schema31.properties.openshell.properties.cliVersion.type},message:"must be string,null"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data5.gatewayVersion !== undefined){
let data7 = data5.gatewayVersion;
if((typeof data7 !== "string") && (data7 !== null)){
const err28 = {instancePath:instancePath+"/openshell/gatewayVersion",schemaPath:"#/properties/openshell/properties/gatewayVersion/type",keyword:"type",params:{type: schema31.properties.openshell.properties.gatewayVersion.type},message:"must be string,null"};
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
else {
const err29 = {instancePath:instancePath+"/openshell",schemaPath:"#/properties/openshell/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data.agent !== undefined){
let data8 = data.agent;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
if(data8.type === undefined){
const err30 = {instancePath:instancePath+"/agent",schemaPath:"#/properties/agent/required",keyword:"required",params:{missingProperty: "type"},message:"must have required property '"+"type"+"'"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
if(data8.version === undefined){
const err31 = {instancePath:instancePath+"/agent",schemaPath:"#/properties/agent/required",keyword:"required",params:{missingProperty: "version"},message:"must have required property '"+"version"+"'"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
for(const key2 in data8){
if(!((key2 === "type") || (key2 === "version"))){
const err32 = {instancePath:instancePath+"/agent",schemaPath:"#/properties/agent/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data8.type !== undefined){
let data9 = data8.type;
if(typeof data9 === "string"){
if(func2(data9) < 1){
const err33 = {instancePath:instancePath+"/agent/type",schemaPath:"#/properties/agent/properties/type/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
else {
const err34 = {instancePath:instancePath+"/agent/type",schemaPath:"#/properties/agent/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data8.version !== undefined){
let data10 = data8.version;
if((typeof data10 !== "string") && (data10 !== null)){
const err35 = {instancePath:instancePath+"/agent/version",schemaPath:"#/properties/agent/properties/version/type",keyword:"type",params:{type: schema31.properties.agent.properties.version.type},message:"must be string,null"};
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
const err36 = {instancePath:instancePath+"/agent",schemaPath:"#/properties/agent/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data.snapshot !== undefined){
let data11 = data.snapshot;
if(data11 && typeof data11 == "object" && !Array.isArray(data11)){
if(data11.timestamp === undefined){
const err37 = {instancePath:instancePath+"/snapshot",schemaPath:"#/properties/snapshot/required",keyword:"required",params:{missingProperty: "timestamp"},message:"must have required property '"+"timestamp"+"'"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
if(data11.label === undefined){
const err38 = {instancePath:instancePath+"/snapshot",schemaPath:"#/properties/snapshot/required",keyword:"required",params:{missingProperty: "label"},message:"must have required property '"+"label"+"'"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
if(data11.path === undefined){
const err39 = {instancePath:instancePath+"/snapshot",schemaPath:"#/properties/snapshot/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
for(const key3 in data11){
if(!(((key3 === "timestamp") || (key3 === "label")) || (key3 === "path"))){
const err40 = {instancePath:instancePath+"/snapshot",schemaPath:"#/properties/snapshot/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
if(data11.timestamp !== undefined){
let data12 = data11.timestamp;
if(typeof data12 === "string"){
if(!pattern7.test(data12)){
const err41 = {instancePath:instancePath+"/snapshot/timestamp",schemaPath:"#/properties/snapshot/properties/timestamp/pattern",keyword:"pattern",params:{pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{3}Z$"},message:"must match pattern \""+"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{3}Z$"+"\""};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
else {
const err42 = {instancePath:instancePath+"/snapshot/timestamp",schemaPath:"#/properties/snapshot/properties/timestamp/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
if(data11.label !== undefined){
if(typeof data11.label !== "string"){
const err43 = {instancePath:instancePath+"/snapshot/label",schemaPath:"#/properties/snapshot/properties/label/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
if(data11.path !== undefined){
let data14 = data11.path;
if(typeof data14 === "string"){
if(!pattern8.test(data14)){
const err44 = {instancePath:instancePath+"/snapshot/path",schemaPath:"#/properties/snapshot/properties/path/pattern",keyword:"pattern",params:{pattern: "^rebuild-backups/[^/]+/[^/]+$"},message:"must match pattern \""+"^rebuild-backups/[^/]+/[^/]+$"+"\""};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
else {
const err45 = {instancePath:instancePath+"/snapshot/path",schemaPath:"#/properties/snapshot/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
}
else {
const err46 = {instancePath:instancePath+"/snapshot",schemaPath:"#/properties/snapshot/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(data.archive !== undefined){
let data15 = data.archive;
if(data15 && typeof data15 == "object" && !Array.isArray(data15)){
if(data15.file === undefined){
const err47 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/required",keyword:"required",params:{missingProperty: "file"},message:"must have required property '"+"file"+"'"};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
if(data15.format === undefined){
const err48 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/required",keyword:"required",params:{missingProperty: "format"},message:"must have required property '"+"format"+"'"};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
if(data15.sizeBytes === undefined){
const err49 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/required",keyword:"required",params:{missingProperty: "sizeBytes"},message:"must have required property '"+"sizeBytes"+"'"};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
if(data15.sha256 === undefined){
const err50 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/required",keyword:"required",params:{missingProperty: "sha256"},message:"must have required property '"+"sha256"+"'"};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
for(const key4 in data15){
if(!((((key4 === "file") || (key4 === "format")) || (key4 === "sizeBytes")) || (key4 === "sha256"))){
const err51 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(data15.file !== undefined){
if("backup.tar" !== data15.file){
const err52 = {instancePath:instancePath+"/archive/file",schemaPath:"#/properties/archive/properties/file/const",keyword:"const",params:{allowedValue: "backup.tar"},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
if(data15.format !== undefined){
if("tar" !== data15.format){
const err53 = {instancePath:instancePath+"/archive/format",schemaPath:"#/properties/archive/properties/format/const",keyword:"const",params:{allowedValue: "tar"},message:"must be equal to constant"};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data15.sizeBytes !== undefined){
let data18 = data15.sizeBytes;
if(!(((typeof data18 == "number") && (!(data18 % 1) && !isNaN(data18))) && (isFinite(data18)))){
const err54 = {instancePath:instancePath+"/archive/sizeBytes",schemaPath:"#/properties/archive/properties/sizeBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
if((typeof data18 == "number") && (isFinite(data18))){
if(data18 < 0 || isNaN(data18)){
const err55 = {instancePath:instancePath+"/archive/sizeBytes",schemaPath:"#/properties/archive/properties/sizeBytes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
}
if(data15.sha256 !== undefined){
let data19 = data15.sha256;
if(typeof data19 === "string"){
if(!pattern9.test(data19)){
const err56 = {instancePath:instancePath+"/archive/sha256",schemaPath:"#/properties/archive/properties/sha256/pattern",keyword:"pattern",params:{pattern: "^[0-9a-f]{64}$"},message:"must match pattern \""+"^[0-9a-f]{64}$"+"\""};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
else {
const err57 = {instancePath:instancePath+"/archive/sha256",schemaPath:"#/properties/archive/properties/sha256/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
}
else {
const err58 = {instancePath:instancePath+"/archive",schemaPath:"#/properties/archive/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
if(data.createdAt !== undefined){
let data20 = data.createdAt;
if(typeof data20 === "string"){
if(!(formats0.validate(data20))){
const err59 = {instancePath:instancePath+"/createdAt",schemaPath:"#/properties/createdAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
else {
const err60 = {instancePath:instancePath+"/createdAt",schemaPath:"#/properties/createdAt/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
}
if(data.policy !== undefined){
let data21 = data.policy;
if(typeof data21 === "string"){
if(func2(data21) < 1){
const err61 = {instancePath:instancePath+"/policy",schemaPath:"#/properties/policy/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
}
else {
const err62 = {instancePath:instancePath+"/policy",schemaPath:"#/properties/policy/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
}
if(data.runId !== undefined){
let data22 = data.runId;
if(typeof data22 === "string"){
if(func2(data22) < 1){
const err63 = {instancePath:instancePath+"/runId",schemaPath:"#/properties/runId/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
}
else {
const err64 = {instancePath:instancePath+"/runId",schemaPath:"#/properties/runId/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
if(data.toolVersion !== undefined){
let data23 = data.toolVersion;
if(typeof data23 === "string"){
if(func2(data23) < 1){
const err65 = {instancePath:instancePath+"/toolVersion",schemaPath:"#/properties/toolVersion/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
else {
const err66 = {instancePath:instancePath+"/toolVersion",schemaPath:"#/properties/toolVersion/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
if(data.verified !== undefined){
let data24 = data.verified;
const _errs52 = errors;
let valid5 = false;
let passing0 = null;
const _errs53 = errors;
if(data24 !== null){
const err67 = {instancePath:instancePath+"/verified",schemaPath:"#/properties/verified/oneOf/0/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
var _valid0 = _errs53 === errors;
if(_valid0){
valid5 = true;
passing0 = 0;
}
const _errs55 = errors;
if(data24 && typeof data24 == "object" && !Array.isArray(data24)){
if(data24.at === undefined){
const err68 = {instancePath:instancePath+"/verified",schemaPath:"#/properties/verified/oneOf/1/required",keyword:"required",params:{missingProperty: "at"},message:"must have required property '"+"at"+"'"};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
if(data24.ok === undefined){
const err69 = {instancePath:instancePath+"/verified",schemaPath:"#/properties/verified/oneOf/1/required",keyword:"required",params:{missingProperty: "ok"},message:"must have required property '"+"ok"+"'"};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
for(const key5 in data24){
if(!(((key5 === "at") || (key5 === "ok")) || (key5 === "problem"))){
const err70 = {instancePath:instancePath+"/verified",schemaPath:"#/properties/verified/oneOf/1/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
}
if(data24.at !== undefined){
let data25 = data24.at;
if(typeof data25 === "string"){
if(!(formats0.validate(data25))){
const err71 = {instancePath:instancePath+"/verified/at",schemaPath:"#/properties/verified/oneOf/1/properties/at/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
}
else {
const err72 = {instancePath:instancePath+"/verified/at",schemaPath:"#/properties/verified/oneOf/1/properties/at/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
}
if(data24.ok !== undefined){
if(typeof data24.ok !== "boolean"){
const err73 = {instancePath:instancePath+"/verified/ok",schemaPath:"#/properties/verified/oneOf/1/properties/ok/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
}
if(data24.problem !== undefined){
if(typeof data24.problem !== "string"){
const err74 = {instancePath:instancePath+"/verified/problem",schemaPath:"#/properties/verified/oneOf/1/properties/problem/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
}
}
else {
const err75 = {instancePath:instancePath+"/verified",schemaPath:"#/properties/verified/oneOf/1/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
var _valid0 = _errs55 === errors;
if(_valid0 && valid5){
valid5 = false;
passing0 = [passing0, 1];
}
else {
if(_valid0){
valid5 = true;
passing0 = 1;
}
}
if(!valid5){
const err76 = {instancePath:instancePath+"/verified",schemaPath:"#/properties/verified/oneOf",keyword:"oneOf",params:{passingSchemas: passing0},message:"must match exactly one schema in oneOf"};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
else {
errors = _errs52;
if(vErrors !== null){
if(_errs52){
vErrors.length = _errs52;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err77 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
validate20.errors = vErrors;
return errors === 0;
}
validate20.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};

