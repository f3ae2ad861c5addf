import { useState } from 'react';
import type { ProfileClaims } from '../../src-preload/contract.ts';
import { AuthenticationGuard } from '../components/authentication-guard.tsx';
import { CodeSnippet } from '../components/code-snippet.tsx';
import { useSession } from '../hooks/use-session.tsx';

export function ProfilePage() {
  return (
    <div className="content-layout">
      <h1 className="content__title">Profile Page</h1>
      <div className="content__body">
        <p className="content__description">
          You can use the <strong>ID token</strong> to get the profile information of a signed-in
          user. <strong>Only signed-in users can see this page.</strong>
        </p>
        <AuthenticationGuard>
          <Profile />
        </AuthenticationGuard>
      </div>
    </div>
  );
}

function Profile() {
  const { session } = useSession();
  if (session.status !== 'signed-in') {
    return <p>Your profile is not available.</p>;
  }
  const { profile, accounts } = session;
  const name = displayName(profile);
  const active = accounts.find((account) => account.active);
  return (
    <div className="profile-grid">
      {/* Which account this page shows: with several signed in, the one active in the account menu. */}
      <p className="profile__account">
        Account: <strong>{active?.name ?? name}</strong>
        {accounts.length > 1
          ? ` (${accounts.length} accounts signed in: switch in the account menu)`
          : null}
      </p>
      <div className="card profile__header">
        <Avatar picture={profile.picture} name={name} />
        <div className="profile__headline">
          <h2 className="profile__title">{name}</h2>
          {profile.email ? (
            <p className="profile__description">
              <span>{profile.email}</span>
              {profile.email_verified === true ? (
                <span className="badge badge--ok">verified</span>
              ) : null}
              {profile.email_verified === false ? (
                <span className="badge">not verified</span>
              ) : null}
            </p>
          ) : null}
        </div>
      </div>
      <CodeSnippet title="Decoded ID Token" code={JSON.stringify(profile, abbreviateDataUris, 2)} />
    </div>
  );
}

/** A data: avatar can be kilobytes of base64; the snippet shows its start and its length instead. */
function abbreviateDataUris(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('data:') && value.length > 80) {
    return `${value.slice(0, 48)}… (${value.length} characters)`;
  }
  return value;
}

function displayName(profile: ProfileClaims): string {
  return profile.name || profile.nickname || profile.email || profile.sub;
}

/** Only pictures the CSP allows (data: from the devstack, https: from a tenant); else initials. */
function Avatar({ picture, name }: { picture: string | undefined; name: string }) {
  const [broken, setBroken] = useState(false);
  const usable = typeof picture === 'string' && /^(https:|data:image\/)/i.test(picture);
  if (usable && !broken) {
    return (
      <img
        className="profile__avatar"
        src={picture}
        alt={`Profile picture of ${name}`}
        width={88}
        height={88}
        referrerPolicy="no-referrer"
        onError={() => setBroken(true)}
      />
    );
  }
  const initials = name
    .split(/[\s@._-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
  return (
    <div
      className="profile__avatar profile__avatar--initials"
      role="img"
      aria-label={`Profile picture of ${name}`}
    >
      {initials || '?'}
    </div>
  );
}
