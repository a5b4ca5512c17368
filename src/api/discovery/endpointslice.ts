// EndpointSlice defaulting and validation (pkg/apis/discovery/v1/defaults.go,
// pkg/apis/discovery/validation/validation.go): address type, addresses per endpoint, ports.
import { type FieldError, invalidValue, notSupported, required } from '../meta/field-errors.ts';
import type { KubeObject } from '../meta/types.ts';
import { IP_ERROR, isValidIPAddress } from '../validation/ip.ts';
import { arrAt, objs } from '../validation/json.ts';
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain } from '../validation/names.ts';
import { validateImmutableField } from '../validation/object-meta.ts';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function setEndpointSliceDefaults(obj: KubeObject): void {
  for (const p of objs(arrAt(obj, 'ports'))) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (!p.protocol) p.protocol = 'TCP';
  }
}

export function validateEndpointSlice(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const at = obj.addressType;
  if (!at) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(String(at))) errs.push(notSupported('addressType', at, ADDRESS_TYPES));
  objs(arrAt(obj, 'endpoints')).forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addrs = arrAt(ep, 'addresses');
    if (addrs.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push({ type: 'Too many', field: `${p}.addresses`, detail: 'must have at most 100 items' });
    addrs.forEach((a, j) => {
      const s = String(a);
      if ((at === 'IPv4' || at === 'IPv6') && !isValidIPAddress(s)) errs.push(invalidValue(`${p}.addresses[${j}]`, s, IP_ERROR));
      if (at === 'FQDN') for (const m of isDNS1123Subdomain(s)) errs.push(invalidValue(`${p}.addresses[${j}]`, s, m));
    });
    if (typeof ep.hostname === 'string' && ep.hostname) for (const m of isDNS1123Label(ep.hostname)) errs.push(invalidValue(`${p}.hostname`, ep.hostname, m));
  });
  objs(arrAt(obj, 'ports')).forEach((port, i) => {
    const p = `ports[${i}]`;
    if (typeof port.name === 'string' && port.name) for (const m of isDNS1123Label(port.name)) errs.push(invalidValue(`${p}.name`, port.name, m));
    if (typeof port.port === 'number' && (port.port < 0 || port.port > 65535)) errs.push(invalidValue(`${p}.port`, port.port, inclusiveRangeError(0, 65535)));
    if (!['SCTP', 'TCP', 'UDP'].includes(String(port.protocol))) errs.push(notSupported(`${p}.protocol`, port.protocol ?? '', ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

export function validateEndpointSliceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateImmutableField(obj.addressType, old.addressType, 'addressType');
}
