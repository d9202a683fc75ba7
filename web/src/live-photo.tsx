import { useCallback, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';

export interface LivePhotoControl {
  playing: boolean;
  video: React.RefObject<HTMLVideoElement | null>;
  play(): void;
  stop(): void;
  /** On the picture: a mouse plays it while over it; a finger or pen while pressing. */
  handlers: {
    onPointerEnter(e: PointerEvent): void;
    onPointerLeave(e: PointerEvent): void;
    onPointerDown(e: PointerEvent): void;
    onPointerUp(e: PointerEvent): void;
    onPointerCancel(e: PointerEvent): void;
  };
  /** On the keyboard's button: plays while Space or Enter is held. */
  buttonHandlers: {
    onKeyDown(e: KeyboardEvent): void;
    onKeyUp(e: KeyboardEvent): void;
    onBlur(): void;
  };
}

/** A Live Photo's movie: plays on hover or press, and goes back to the still when let go or when it ends. */
export function useLivePhoto(): LivePhotoControl {
  const video = useRef<HTMLVideoElement | null>(null);
  const [playing, setPlaying] = useState(false);
  const play = useCallback(() => {
    const v = video.current;
    if (!v) return;
    setPlaying(true);
    // Muted, so the browser lets it play without a click; a refusal leaves the still.
    v.play().catch(() => setPlaying(false));
  }, []);
  const stop = useCallback(() => {
    const v = video.current;
    setPlaying(false);
    if (!v) return;
    v.pause();
    v.currentTime = 0;
  }, []);
  return {
    playing, video, play, stop,
    handlers: {
      onPointerEnter: (e) => { if (e.pointerType === 'mouse') play(); },
      onPointerLeave: () => stop(),
      onPointerDown: () => play(),
      onPointerUp: (e) => { if (e.pointerType !== 'mouse') stop(); },
      onPointerCancel: () => stop(),
    },
    buttonHandlers: {
      onKeyDown: (e) => {
        if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); play(); }
      },
      onKeyUp: (e) => { if (e.key === ' ' || e.key === 'Enter') stop(); },
      onBlur: () => stop(),
    },
  };
}

/** The movie over the still, seen only while it plays. */
export function LivePhoto({ src, control }: { src: string; control: LivePhotoControl }) {
  return (
    <video
      ref={control.video}
      className={`live${control.playing ? ' playing' : ''}`}
      aria-label="Live Photo"
      src={src}
      muted
      playsInline
      preload="auto"
      disablePictureInPicture
      onEnded={() => control.stop()}
    />
  );
}
