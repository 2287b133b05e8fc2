// The input form of an app (`user_input_form` of /api/parameters) and the values it collects.
import { h } from './common.js';

const SUPPORTED = ['text-input', 'paragraph', 'select', 'number', 'checkbox'];

/** [{type, label, variable, required, max_length, options, default}] from Dify's `[{type: {...}}]` shape. */
export function formFields(userInputForm) {
  return (userInputForm || []).map((item) => {
    const type = Object.keys(item)[0];
    return { type, ...item[type] };
  }).filter((field) => field.variable);
}

function control(field, value) {
  const id = `input-${field.variable}`;
  const common = { id, name: field.variable, required: !!field.required };
  if (field.type === 'paragraph') {
    return h('textarea', { ...common, rows: 3, maxLength: field.max_length || undefined, value: value ?? '' });
  }
  if (field.type === 'select') {
    const options = (field.options || []).map((option) => h('option', { value: option, selected: option === value },
      option));
    return h('select', common, h('option', { value: '' }, field.required ? 'Choose…' : '—'), options);
  }
  if (field.type === 'number') return h('input', { ...common, type: 'number', step: 'any', value: value ?? '' });
  if (field.type === 'checkbox') return h('input', { ...common, type: 'checkbox', checked: !!value, required: false });
  return h('input', { ...common, type: 'text', maxLength: field.max_length || undefined, value: value ?? '' });
}

/**
 * Render the form into `container` (emptied first). Returns `{ fields, values(), setDisabled(bool) }`;
 * `values()` throws an Error naming the first missing required field.
 */
export function renderForm(container, userInputForm, initial = {}) {
  const fields = formFields(userInputForm);
  container.replaceChildren();
  const inputs = new Map();
  for (const field of fields) {
    const value = initial[field.variable] ?? field.default;
    if (!SUPPORTED.includes(field.type)) {
      container.append(h('p.field.note', {}, `${field.label || field.variable}: ${field.type} inputs are not supported on this page.`));
      continue;
    }
    const input = control(field, value);
    inputs.set(field.variable, { field, input });
    const label = h('label', { htmlFor: input.id }, field.label || field.variable,
      field.required ? h('span.required', { title: 'required' }, ' *') : null);
    container.append(h(`div.field.field-${field.type}`, {}, label, input));
  }
  container.hidden = inputs.size === 0 && !container.children.length;
  return {
    fields,
    values() {
      const result = {};
      for (const [name, { field, input }] of inputs) {
        let value = field.type === 'checkbox' ? input.checked : input.value;
        if (field.type === 'number' && value !== '') value = Number(value);
        if (typeof value === 'string') value = value.trim();
        if (field.required && (value === '' || value === undefined)) {
          input.focus();
          throw new Error(`${field.label || name} is required.`);
        }
        if (value !== '') result[name] = value;
      }
      return result;
    },
    setDisabled(disabled) {
      for (const { input } of inputs.values()) input.disabled = disabled;
    },
  };
}
