import type { ProfileClaims } from '../../../src-preload/contract.ts';
import { useSession } from '../../hooks/use-session.tsx';

/** Who is signed in, as a person would recognise them: name, else email, else nickname. */
export function displayName(profile: ProfileClaims | undefined): string | undefined {
  for (const value of [profile?.name, profile?.email, profile?.nickname]) {
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/** "Signed in as Alice Liddell", truncated when long (the full name stays in the tooltip). */
export function SignedInUser({
  className,
  showLabel = false,
}: {
  className: string;
  showLabel?: boolean;
}) {
  const { session } = useSession();
  const who = session.status === 'signed-in' ? displayName(session.profile) : undefined;
  if (!who) return null;
  return (
    <span className={className} title={who}>
      <span className={showLabel ? undefined : 'visually-hidden'}>Signed in as </span>
      {who}
    </span>
  );
}
