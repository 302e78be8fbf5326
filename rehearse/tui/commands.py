"""The command palette (Ctrl+P): `noun: verb` commands for the production on screen."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider


class RehearseCommands(Provider):
    """analyze take, analyze scene, open report, export markers, and the app's own commands."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        app = self.app
        screen = self.screen  # the screen the palette was opened over
        scene = getattr(screen, "current_scene", lambda: None)()
        take = getattr(screen, "current_take", lambda: None)()
        commands: list[tuple[str, str, Callable[[], None]]] = []
        if take is not None and scene is not None:
            commands.append(
                ("take: analyze", f"analyze take {take.label} (cached)",
                 lambda: app.start_job(f"analyze take {take.label}", scene, [take]))
            )
        if scene is not None:
            commands.append(
                ("scene: analyze", f"analyze every take of scene {scene.id}",
                 lambda: app.start_job(f"analyze scene {scene.id}", scene, list(scene.takes)))
            )
            commands.append(
                ("continuity: open", f"takes x gestures and beats of scene {scene.id}",
                 lambda: screen.action_continuity())
            )
            commands.append(
                ("rehearsal: watch live", f"watch a camera or stream of scene {scene.id}: holds and blinks as they "
                 "happen, the take recorded (asks for the source)", lambda: _ask_live(app, scene))
            )
            if hasattr(screen, "action_log_rehearsal"):
                commands.append(
                    ("rehearsal: log", f"log a live rehearsal of scene {scene.id}, one key per event",
                     lambda: screen.action_log_rehearsal())
                )
        root = app.root
        reports = root / ".rehearse" / "reports"
        if scene is not None:
            report_file = reports / f"scene-{scene.id}.html"
            commands.append(
                ("report: open", f"write the HTML report of scene {scene.id} and open it",
                 lambda: app.start_report_job(f"report scene {scene.id}", [scene.id], report_file))
            )
            commands.append(
                ("markers: export", f"export scene {scene.id}'s markers for editors or ELAN (asks where)",
                 lambda: _ask_export(app, scene))
            )
        else:
            report_file = reports / "production.html"
            commands.append(
                ("report: open", "write the HTML report of every scene and open it",
                 lambda: app.start_report_job("report", None, report_file))
            )
        commands += [
            ("actor: profiles", "each actor's figures across takes and scenes, and takes unlike the others",
             lambda: _open_actors(app)),
            ("theme: toggle", "switch between the light and dark theme", app.action_toggle_theme),
            ("help: keys", "show every key and its binding id", app.action_help),
        ]
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


def _ask_export(app, scene) -> None:
    from rehearse.tui.export_prompt import ask_and_export

    ask_and_export(app, scene)


def _ask_live(app, scene) -> None:
    from rehearse.tui.live_prompt import ask_and_watch

    ask_and_watch(app, scene)


def _open_actors(app) -> None:
    from rehearse.tui.screens.actor import ActorScreen

    if not isinstance(app.screen, ActorScreen):
        app.push_screen(ActorScreen())
