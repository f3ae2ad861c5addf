import { useId } from 'react';
import type { ReactNode } from 'react';
import type { ProviderKind } from '../../../src-preload/contract.ts';

/** One identity provider to choose: a radio button, its name and what it is. */
export function Choice({
  value,
  current,
  onChoose,
  label,
  children,
}: {
  value: ProviderKind;
  current: ProviderKind;
  onChoose: (value: ProviderKind) => void;
  label: string;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <label className={`settings__choice${current === value ? ' settings__choice--selected' : ''}`}>
      <input
        type="radio"
        id={`provider-${value}`}
        name="provider"
        value={value}
        checked={current === value}
        onChange={() => onChoose(value)}
        aria-describedby={id}
      />
      <span className="settings__choice-text">
        <span className="settings__choice-label">{label}</span>
        <span className="field__hint" id={id}>
          {children}
        </span>
      </span>
    </label>
  );
}

/** Next to a field holding the running demo provider's own address (issue 22, H1). */
export function DemoAddressAdvice({ onChoose }: { onChoose(): void }) {
  return (
    <>
      These are the built-in demo provider’s addresses:{' '}
      <button type="button" className="link-button" onClick={onChoose}>
        choose Built-in demo provider
      </button>
    </>
  );
}
