/** Our own mark (a key in a rounded square): no external images anywhere. */
export function BrandLogo({ size = 28 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
      className="brand-logo"
    >
      <rect width="32" height="32" rx="8" className="brand-logo__tile" />
      <circle cx="12" cy="16" r="5" className="brand-logo__key" />
      <path d="M16.5 16H26v3.5M22 16v2.5" className="brand-logo__key" />
    </svg>
  );
}
