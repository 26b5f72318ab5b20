// A group of checkboxes choosing a set of values: the saved-view filters, a user's teams in admin.
import type { ReactNode } from 'react';

export function Checks<T extends string>({
  legend,
  options,
  value,
  onChange,
  inline = false,
}: {
  legend: string;
  options: { value: T; label: ReactNode }[];
  value: T[];
  onChange: (v: T[]) => void;
  /** One wrapping row without a frame; the legend is then for screen readers only. */
  inline?: boolean;
}) {
  return (
    <fieldset className={inline ? 'inline-checks' : 'checks'}>
      <legend className={inline ? 'visually-hidden' : undefined}>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="checkbox"
            checked={value.includes(o.value)}
            onChange={(e) => onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
