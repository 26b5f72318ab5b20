// The few line icons the UI uses, drawn inline so the CSP needs no extra sources. All decorative:
// the control that holds one carries the accessible name.
import type { ReactNode } from 'react';

function Icon({ children, size = 16 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const IconInbox = () => (
  <Icon>
    <path d="M22 12h-6l-2 3h-4l-2-3H2" />
    <path d="M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z" />
  </Icon>
);
export const IconUser = () => (
  <Icon>
    <path d="M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2" />
    <circle cx="12" cy="7" r="4" />
  </Icon>
);
export const IconUsers = () => (
  <Icon>
    <path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2" />
    <circle cx="9" cy="7" r="4" />
    <path d="M23 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75" />
  </Icon>
);
export const IconQueue = () => (
  <Icon>
    <circle cx="12" cy="12" r="9" strokeDasharray="3 3" />
  </Icon>
);
export const IconClock = ({ size }: { size?: number }) => (
  <Icon size={size}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </Icon>
);
export const IconCheck = ({ size }: { size?: number }) => (
  <Icon size={size}>
    <path d="M5 12.5 10 17 19 7" />
  </Icon>
);
export const IconCheckDouble = ({ size }: { size?: number }) => (
  <Icon size={size}>
    <path d="M2 12.5 7 17 16 7" />
    <path d="M12 16.5l.5.5L22 7" />
  </Icon>
);
export const IconAlert = ({ size }: { size?: number }) => (
  <Icon size={size}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 8v5M12 16h.01" />
  </Icon>
);
export const IconTrash = ({ size }: { size?: number }) => (
  <Icon size={size}>
    <path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6" />
  </Icon>
);
export const IconSend = () => (
  <Icon>
    <path d="M22 2 11 13M22 2l-7 20-4-9-9-4 20-7z" />
  </Icon>
);
export const IconCloudOff = () => (
  <Icon>
    <path d="m2 2 20 20M5.8 5.8A7 7 0 0 0 7 19h10a4.5 4.5 0 0 0 2.8-.9M22 15.5A4.5 4.5 0 0 0 17.5 11h-.6A7 7 0 0 0 9.6 5.2" />
  </Icon>
);
export const IconChevronDown = () => (
  <Icon size={14}>
    <path d="m6 9 6 6 6-6" />
  </Icon>
);
export const IconChat = ({ size }: { size?: number }) => (
  <Icon size={size}>
    <path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z" />
  </Icon>
);
export const IconX = () => (
  <Icon size={14}>
    <path d="M18 6 6 18M6 6l12 12" />
  </Icon>
);
