// Endpoints defaulting and validation (pkg/apis/core/v1/defaults.go SetDefaults_Endpoints;
// pkg/apis/core/validation/validation.go ValidateEndpoints, validateEndpointSubsets).
import { type FieldError, duplicate, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { arrAt, objs } from '../validation/json.ts';
import { IP_ERROR, isValidIPAddress } from '../validation/ip.ts';
import { isDNS1123Label, isValidPortNum, nameIsDNSSubdomain } from '../validation/names.ts';

export function setEndpointsDefaults(obj: KubeObject): void {
  for (const ss of objs(arrAt(obj, 'subsets'))) for (const p of objs(arrAt(ss, 'ports'))) if (!p.protocol) p.protocol = 'TCP';
}


export function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(arrAt(obj, 'subsets')).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    for (const list of ['addresses', 'notReadyAddresses']) {
      objs(arrAt(ss, list)).forEach((a, j) => {
        const ap = `${p}.${list}[${j}]`;
        const ip = typeof a.ip === 'string' ? a.ip : '';
        if (!ip) errs.push(required(`${ap}.ip`));
        else if (!isValidIPAddress(ip)) errs.push(invalidValue(`${ap}.ip`, ip, IP_ERROR));
        if (typeof a.hostname === 'string' && a.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(invalidValue(`${ap}.hostname`, a.hostname, m));
        if (typeof a.nodeName === 'string' && a.nodeName) for (const m of nameIsDNSSubdomain(a.nodeName, false)) errs.push(invalidValue(`${ap}.nodeName`, a.nodeName, m));
      });
    }
    const ports = objs(arrAt(ss, 'ports'));
    const names = new Set<string>();
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      const name = typeof port.name === 'string' ? port.name : '';
      if (ports.length > 1 && !name) errs.push(required(`${pp}.name`));
      else if (name) {
        for (const m of isDNS1123Label(name)) errs.push(invalidValue(`${pp}.name`, name, m));
        if (names.has(name)) errs.push(duplicate(`${pp}.name`, name));
        names.add(name);
      }
      for (const m of isValidPortNum(Number(port.port ?? 0))) errs.push(invalidValue(`${pp}.port`, port.port ?? 0, m));
      if (!port.protocol) errs.push(required(`${pp}.protocol`));
      else if (!['SCTP', 'TCP', 'UDP'].includes(String(port.protocol))) errs.push(notSupported(`${pp}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}
