import { eventsRoute } from "@/lib/server/http";
import { receiveEvents } from "@/lib/server/api/events";

export const POST = eventsRoute("events", receiveEvents);
