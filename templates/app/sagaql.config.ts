// The app: its entities become the GraphQL API, its services are what saga steps find with ctx.resolve(name).
import { defineConfig } from "sagaql";
import { FlightService } from "./src/flight-service.js";
import { PaymentService } from "./src/payment-service.js";
import { trip } from "./src/trip.js";

export default defineConfig({
  entities: [trip],
  // Called once when the app starts; a service with a close() method is closed with the app.
  services: () => ({ flights: new FlightService(), payments: new PaymentService() }),
});
