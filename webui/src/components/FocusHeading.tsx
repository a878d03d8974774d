import { useEffect, useRef } from "react";

// A panel's heading that takes focus when the panel opens or changes, so keyboard and screen
// reader users land on it and it scrolls into view below a long list.
export function FocusHeading({ id, text }: { id: string; text: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [text]);
  return (
    <h2 id={id} ref={heading} tabIndex={-1}>
      {text}
    </h2>
  );
}
